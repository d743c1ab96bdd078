#!/usr/bin/env bash
# The README's explain table (issue 15): the demo's recipe (ResNet-8 on shapes, 8000 training images, 8 epochs) with
# cross-entropy and with CAM-loss, per seed; then every CAM method with the faithfulness metrics (32 steps, deletion
# to the constant baseline, insertion from the blurred image) and the localisation metrics on the first 500 test
# images, for the predicted class.
# Usage: examples/explain/run.sh [OUT_DIR [SEED...]]   (default runs/explain, seeds 7 2)
# Writes OUT_DIR/<loss>-seed<S>/ (runs) and OUT_DIR/explain-<loss>-seed<S>/ (explain.json, maps.npz, grid.png);
# the printed tables are those of the README. A finished run or explanation is kept when the script runs again.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/explain}
shift || true
seeds=("$@")
if [ ${#seeds[@]} -eq 0 ]; then seeds=(7 2); fi
config=runtime/cli/src/main/resources/org/camloss/cli/demo.yaml
mkdir -p "$out"
for seed in "${seeds[@]}"; do
  for loss in cross-entropy cam-loss; do
    run="$out/$loss-seed$seed"
    if [ ! -f "$run/model.zip" ]; then
      rm -rf "$run"
      ./camloss train "$config" --set seed="$seed" --set loss.id="$loss" --set train.progress=false \
        --out "$run" --no-report
    fi
    x="$out/explain-$loss-seed$seed"
    if [ ! -f "$x/explain.json" ]; then
      ./camloss explain "$run" --data test --limit 500 --method all --faithfulness --no-overlays --grid-rows 8 \
        --out "$x" --no-progress
    else
      echo "== $x: kept"
    fi
  done
done
