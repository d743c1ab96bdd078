#!/bin/bash
# The PyTorch twin's settings measured against each other (docs/performance.md, "The twin in PyTorch's fastest
# settings"): a fresh process per figure, the order rotating from round to round, one JSON line per process.
#   bench/probes/twin_settings.sh OUT.jsonl ROUNDS R8.npz R20.npz
# R8.npz / R20.npz: the batches `camloss bench` trains on (x NHWC float32, y), e.g. copied from its temporary
# directory (/tmp/camloss-bench*/batch-N.npz) while it runs. LOCK=FILE serialises each process with other jobs;
# EXTRA="--steps 2 --warmup 1 --infer-steps 4" (say) is passed to every twin, for a quick check of the script.
set -u
out=$1; rounds=$2; r8=$3; r20=$4
here=$(cd "$(dirname "$0")/.." && pwd)
lock=${LOCK:-/dev/null}
TC=$(ls /usr/lib/*/libtcmalloc_minimal.so.4 2>/dev/null | head -1)
JE=$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1)
cfgs=("glibc|--layout nchw --inference eager"
      "glibc|--layout channels-last --inference eager-channels-last"
      "glibc|--layout nchw --inference optimize-for-inference"
      "glibc|--layout channels-last --inference freeze-channels-last"
      "glibc|"
      "jemalloc|"
      "tcmalloc|")
n=${#cfgs[@]}
for r in $(seq 1 "$rounds"); do
  for model in "8 28x28x1 $r8" "20 32x32x3 $r20"; do
    set -- $model
    for k in $(seq 0 $((n - 1))); do
      cfg=${cfgs[$(( (k + r) % n ))]}; alloc=${cfg%%|*}; args=${cfg#*|}
      pre=""; [ "$alloc" = tcmalloc ] && pre=$TC; [ "$alloc" = jemalloc ] && pre=$JE
      res=$(LD_PRELOAD=$pre flock "$lock" /usr/bin/time -f "%U %S" -o /tmp/twin-time.txt \
        /usr/bin/python3 "$here/torch_bench.py" --depth "$1" --input "$2" --data "$3" $args ${EXTRA:-} 2>/dev/null | tail -1)
      echo "{\"round\": $r, \"depth\": $1, \"allocator\": \"$alloc\", \"args\": \"$args\", \"user_system_s\": \"$(cat /tmp/twin-time.txt)\", \"res\": $res}" >> "$out"
    done
  done
done
