#!/usr/bin/env bash
# Cross-process A/B of a camloss system-property switch with `./camloss bench` (one case, cross-entropy or as given):
# A = -D<property>=<A value>, B = the property unset; rounds alternate the order (A B, B A, ...), each run under the
# machine's lock. Prints one bench table line per run, then the median [min-max] of the per-round ratios B/A of the
# training throughput. Used for docs/performance.md, Change 17 (camloss.updater=dl4j against HostGraphUpdater).
#   bench/probes/switch-ab.sh camloss.updater dl4j 4 --backbone resnet-cifar --depth 8 --input 28x28x1 --batch 32
set -euo pipefail
prop=$1; aval=$2; rounds=$3; shift 3
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="-Xmx6g -XX:TieredStopAtLevel=1"
ratios=()
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then order="A B"; else order="B A"; fi
  for s in $order; do
    if [ "$s" = A ]; then opts="$base -D$prop=$aval"; else opts="$base"; fi
    line=$(CAMLOSS_JAVA_OPTS="$opts" flock /work/cpu.lock "$here/camloss" bench --no-fork --no-torch --rounds 1 \
      --loss cross-entropy "$@" 2>&1 | grep -E '^[a-z].* [0-9]+ \[' | head -1)
    echo "round $r $s $line"
    train=$(echo "$line" | awk '{print $6}')
    if [ "$s" = A ]; then a=$train; else b=$train; fi
  done
  ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN{printf "%.3f", b/a}')")
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{v[NR]=$1} END{m=(NR%2)?v[(NR+1)/2]:(v[NR/2]+v[NR/2+1])/2;
  printf "train img/s ratio B/A: median %.3f [%s-%s] over %d rounds\n", m, v[1], v[NR], NR}'
