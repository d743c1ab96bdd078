#!/bin/bash
# How cost grows (issue 16, docs/performance.md "How cost grows"): ResNet-20 32x32x3 batch 128 cross-entropy,
# varying one of batch (32/64/128/256), depth (20/56/110) and input side (28/32/64, RGB, shapes images);
# each case `camloss bench` with camloss and PyTorch alternating over ROUNDS rounds.
# Usage: bench/growth.sh OUT_DIR [ROUNDS=3]   then  bench/growth.sh --table OUT_DIR
# Environment: LOCK, a file to flock around each case (e.g. /work/cpu.lock on a shared machine); unset: none.
set -euo pipefail
HERE=$(cd "$(dirname "$0")/.." && pwd)
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
if [ "${1:-}" = "--table" ]; then
  exec $PY - "$2" <<'PYEOF'
import glob, json, os, sys
rows = []
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    for r in json.load(open(f)):
        rows.append(r)
key = lambda r: (int(r["backbone"].rsplit("-", 1)[1]), int(r["input"].split("x")[0]), r["batch"])
print("| depth | input | batch | camloss train img/s | PyTorch train | ratio [range] | camloss ms/img | PyTorch ms/img | camloss infer | PyTorch infer | ratio [range] | rounds |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for r in sorted(rows, key=key):
    d, s, b = key(r)
    print(f"| {d} | {r['input']} | {b} | {r['train_images_per_sec']:.0f} | {r.get('torch_train_images_per_sec', float('nan')):.0f} "
          f"| {r.get('train_ratio', float('nan')):.2f} [{r.get('train_ratio_min', float('nan')):.2f}-{r.get('train_ratio_max', float('nan')):.2f}] "
          f"| {1000 / r['train_images_per_sec']:.2f} | {1000 / r.get('torch_train_images_per_sec', float('nan')):.2f} "
          f"| {r['infer_images_per_sec']:.0f} | {r.get('torch_infer_images_per_sec', float('nan')):.0f} "
          f"| {r.get('infer_ratio', float('nan')):.2f} [{r.get('infer_ratio_min', float('nan')):.2f}-{r.get('infer_ratio_max', float('nan')):.2f}] | {r['round_count']} |")
PYEOF
fi
OUT=${1:?usage: bench/growth.sh OUT_DIR [ROUNDS]}
ROUNDS=${2:-3}
mkdir -p "$OUT"
# bench's 30 warm-up steps (the JIT needs them: with 10, batch 32 measured 280 instead of 380 img/s), fewer timed steps; ~25 min for 3 rounds
T="--loss cross-entropy --rounds $ROUNDS --warmup 30 --steps 20 --infer-steps 40"
run() { # name, then bench args
  local name=$1; shift
  [ -f "$OUT/$name.json" ] && { echo "growth: $name done already"; return; }
  echo "growth: $name ($(date +%H:%M:%S))" >&2
  ${LOCK:+flock "$LOCK"} "$HERE/camloss" bench --backbone resnet-cifar $T "$@" --json "$OUT/$name.json.tmp" > "$OUT/$name.txt"
  mv "$OUT/$name.json.tmp" "$OUT/$name.json"
}
for b in 32 64 128 256; do run "d20-s32-b$b" --depth 20 --input 32x32x3 --batch $b; done
for d in 56 110; do run "d$d-s32-b128" --depth $d --input 32x32x3 --batch 128; done
for s in 28 64; do run "d20-s$s-b128" --depth 20 --input ${s}x${s}x3 --batch 128; done
