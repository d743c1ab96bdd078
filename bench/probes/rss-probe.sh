#!/usr/bin/env bash
# usage: [GCAT=8] rss-probe.sh CAMLOSS_CHECKOUT OUTDIR [VAR=value ...] -- [extra JVM options]
# Runs `camloss bench` for ResNet-20 32x32x3 cross-entropy in one JVM (--no-fork --no-torch, 1 round) and samples its
# resident set every 0.5 s into OUTDIR/rss.tsv; copies /proc/PID/smaps (OUTDIR/smaps.max) at each new high, and with
# -XX:NativeMemoryTracking=summary among the JVM options NMT's summary every 5 s (OUTDIR/nmt.N.txt). With GCAT=8 it
# runs `jcmd PID GC.run` every 10 samples from the 8th (every 5 s, like the trainer). `bench/probes/smaps.py
# OUTDIR/smaps.max` sums the copy by mapping. docs/performance.md, "Peak resident memory of ResNet-20".
home=$1; out=$2; shift 2
envs=(); while [ $# -gt 0 ] && [ "$1" != "--" ]; do envs+=("$1"); shift; done; shift || true
mkdir -p "$out"
cd "$home"
env "${envs[@]}" CAMLOSS_JAVA_OPTS="-Xmx6g $*" ./camloss bench --no-fork --no-torch --backbone resnet-cifar --depth 20 \
  --input 32x32x3 --loss cross-entropy --rounds 1 --json "$out/bench.json" > "$out/stdout.txt" 2>&1 &
sh_pid=$!
sleep 1
pid=$(pgrep -P $sh_pid java || echo $sh_pid)
for i in 1 2 3 4 5; do [ -r /proc/$pid/status ] && grep -q java /proc/$pid/cmdline 2>/dev/null && break; sleep 0.5; pid=$(pgrep -P $sh_pid java || echo $sh_pid); done
echo "pid $pid" > "$out/pid"
max=0; t0=$(date +%s.%N); n=0
while kill -0 $pid 2>/dev/null; do
  rss=$(awk '/^VmRSS:/{print $2}' /proc/$pid/status 2>/dev/null)
  [ -z "$rss" ] && break
  t=$(echo "$(date +%s.%N) - $t0" | bc)
  echo "$t $rss" >> "$out/rss.tsv"
  if [ "$rss" -gt "$max" ]; then
    max=$rss
    cp /proc/$pid/smaps "$out/smaps.max" 2>/dev/null
    cp /proc/$pid/status "$out/status.max" 2>/dev/null
  fi
  n=$((n+1))
  if [ $((n % 10)) -eq 0 ] && grep -q NativeMemoryTracking /proc/$pid/cmdline 2>/dev/null; then
    jcmd $pid VM.native_memory summary > "$out/nmt.$n.txt" 2>/dev/null
    echo "$n $rss" >> "$out/nmt.index"
  fi
  if [ -n "$GCAT" ] && [ $n -eq $GCAT ]; then jcmd $pid GC.run >/dev/null 2>&1; echo "$t GC" >> "$out/rss.tsv"; GCAT=$((GCAT+10)); fi
  sleep 0.5
done
wait $sh_pid
echo "max VmRSS kB $max"
grep -o '"peak_rss_mb":[0-9.]*\|"peak_heap_mb":[0-9.]*\|"train_images_per_sec":[0-9.]*\|"infer_images_per_sec":[0-9.]*' "$out/bench.json"
