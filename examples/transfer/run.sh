#!/usr/bin/env bash
# The README's transfer and few-shot table (issue 13), our protocol:
#   1. source models: Fashion-MNIST classes 0-4 (and shapes), cross-entropy vs CAM-loss, same recipe, per seed;
#   2a. few-shot on Fashion-MNIST classes 5-9 (test split), 5-way and 2-way, 1 and 5 shots, 15 queries, 600
#       episodes, prototype and logistic classifiers on the frozen pooled features;
#   2b. fine-tuning and a linear probe on classes 5-9 with 100 labelled images per class, tested on their whole
#       test split (cross-entropy downstream whatever the source's loss);
#   2c. shapes -> Fashion-MNIST (all ten classes, 100 per class) and Fashion-MNIST 0-4 -> shapes (25 per class;
#       shapes has object masks, so the transferred model's CAAM pointing game is measured).
# Usage: examples/transfer/run.sh [OUT_DIR [SEED...]]   (default runs/transfer, seeds 0 1 2)
# Needs Fashion-MNIST (apt-get install dataset-fashion-mnist) and python3 for the table. Rerunning skips every
# finished step and resumes an interrupted training run, so a stopped script can simply be started again.
# Writes OUT_DIR/table.md and OUT_DIR/results.csv.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-runs/transfer}
shift || true
seeds=("$@")
if [ ${#seeds[@]} -eq 0 ]; then seeds=(0 1 2); fi
C=examples/configs/transfer
mkdir -p "$out"

# train CONFIG RUN_DIR --set ...: trains into RUN_DIR unless it holds a finished model; resumes an interrupted run
train() {
  local config=$1 dir=$2
  shift 2
  if [ -f "$dir/model.zip" ]; then
    echo "== $dir: finished, kept"
  elif [ -d "$dir/checkpoints" ] && ls "$dir"/checkpoints/ckpt-*.zip > /dev/null 2>&1; then
    echo "== $dir: resuming"
    ./camloss resume "$dir"
  else
    rm -rf "$dir"
    echo "== $dir"
    ./camloss train "$config" --out "$dir" --set train.progress=false "$@"
  fi
}

for seed in "${seeds[@]}"; do
  for loss in cross-entropy cam-loss; do
    src="$out/fmnist-source-$loss-s$seed"
    train "$C/fmnist-source.yaml" "$src" --set seed="$seed" --set "loss={id: $loss}"
    if [ ! -f "$out/fewshot-$loss-s$seed.json" ]; then
      ./camloss fewshot "$src" --classes 5,6,7,8,9 --ways 5,2 --shots 1,5 --queries 15 --episodes 600 \
        --classifier prototype,logistic --seed "$seed" --out "$out/fewshot-$loss-s$seed.json" --no-progress
    fi
    train "$C/fmnist-finetune.yaml" "$out/fmnist-finetune-$loss-s$seed" \
      --set seed="$seed" --set init.from="$src"
    train "$C/fmnist-linear-probe.yaml" "$out/fmnist-linear-probe-$loss-s$seed" \
      --set seed="$seed" --set init.from="$src"
    train "$C/shapes-from-fmnist.yaml" "$out/shapes-from-fmnist-$loss-s$seed" \
      --set seed="$seed" --set init.from="$src"
    shapes="$out/shapes-source-$loss-s$seed"
    train "$C/shapes-source.yaml" "$shapes" --set seed="$seed" --set "loss={id: $loss}"
    train "$C/fmnist-from-shapes.yaml" "$out/fmnist-from-shapes-$loss-s$seed" \
      --set seed="$seed" --set init.from="$shapes"
  done
done
python3 examples/transfer/table.py "$out" | tee "$out/table.md"
