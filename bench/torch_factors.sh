#!/bin/bash
# Why two PyTorch loops of the same ResNet-8 differed by up to 2x (issue 16): each factor in its own
# process, eleven configurations per round, the order reversed every other round.
# Usage: bench/torch_factors.sh [ROUNDS=5] > factors.jsonl   (needs python3-torch and dataset-fashion-mnist)
# Summary: python3 bench/torch_factors.sh --summary factors.jsonl  (see docs/performance.md)
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
if [ "${1:-}" = "--summary" ]; then
  exec $PY - "$2" <<'PYEOF'
import json, statistics, sys, collections
d = collections.defaultdict(lambda: collections.defaultdict(list))
for line in open(sys.argv[1]):
    r = json.loads(line)
    d[r["config"]]["train"].append(r["result"]["torch_train_images_per_sec"])
    d[r["config"]]["infer"].append(r["result"]["torch_infer_images_per_sec"])
for k, v in d.items():
    t, i = v["train"], v["infer"]
    print(f"| {k} | {statistics.median(t):.0f} [{min(t):.0f}-{max(t):.0f}] | {statistics.median(i):.0f} [{min(i):.0f}-{max(i):.0f}] |")
PYEOF
fi
ROUNDS=${1:-5}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
D=${KEEP_BATCH:-$TMP/fmnist128.npz}   # KEEP_BATCH=FILE keeps the batch (for bench/probes/*.py: BATCH=FILE)
# the first 128 Fashion-MNIST training images, normalised by the pixel mean and standard deviation of those 128
$PY - "$D" <<'PYEOF'
import gzip, sys, numpy as np
root = "/usr/share/datasets/fashion-mnist/"
x = np.frombuffer(gzip.open(root + "train-images-idx3-ubyte.gz").read()[16:], np.uint8).reshape(-1, 28, 28, 1)[:128]
y = np.frombuffer(gzip.open(root + "train-labels-idx1-ubyte.gz").read()[8:], np.uint8)[:128]
x = x / 255.0
np.savez(sys.argv[1], x=((x - x.mean()) / x.std()).astype(np.float32), y=y.astype(np.float32))
PYEOF
COMMON="--depth 8 --input 28x28x1 --batch 128 --threads 2 --steps 40 --warmup 30 --infer-steps 40"
OLD="--interop-threads 0 --keep-denormals"   # the old twin's thread and denormal settings
declare -A C
C[old_twin]="--data random --lr 0.01 $OLD"
C[real_lr001]="--data $D --lr 0.01 $OLD"
C[real_lr01]="--data $D --lr 0.1 $OLD"
C[random_lr01]="--data random --lr 0.1 $OLD"
C[real_lr01_interop1]="--data $D --lr 0.1 --interop-threads 1 --keep-denormals"
C[real_lr01_flush]="--data $D --lr 0.1 --interop-threads 0"
C[real_lr01_2models]="--data $D --lr 0.1 $OLD --models 2"
C[random_lr001_flush]="--data random --lr 0.01 --interop-threads 0"
C[new_twin]="--data $D --lr 0.1"
C[new_twin_channels_last]="--data $D --lr 0.1 --channels-last"
C[new_twin_random]="--data random --lr 0.1"
KEYS=(old_twin real_lr001 real_lr01 random_lr01 real_lr01_interop1 real_lr01_flush real_lr01_2models random_lr001_flush new_twin new_twin_channels_last new_twin_random)
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 == 0 )); then ORDER=$(printf '%s\n' "${KEYS[@]}" | tac); else ORDER="${KEYS[*]}"; fi
  for k in $ORDER; do
    out=$($PY "$HERE/torch_bench.py" $COMMON ${C[$k]} | tail -1)
    echo "{\"round\": $r, \"config\": \"$k\", \"result\": $out}"
  done
done
