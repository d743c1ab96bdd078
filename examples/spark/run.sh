#!/usr/bin/env bash
# Issue 17's measurement: the reference recipe (Fashion-MNIST, ResNet-8, CAM-loss; examples/configs/fashion-mnist-resnet8.yaml
# with 10,000 training images, 4 epochs, all 10,000 test images) trained three ways per seed, with the same
# application jar and class path:
#   single   one process, no engine (org.camloss.cli.Main train)
#   local2   the spark engine on local[2]: two worker threads in the driver's JVM
#   cluster2 the spark engine on local-cluster[2,1,1536]: a Spark master, two workers and two executor JVMs
# and writes OUT/results.md: per seed and way, the final test accuracy and the mean seconds per epoch (training; and
# training + evaluation), plus each way's mean over the seeds.
#
#   examples/spark/run.sh OUT SEEDS...          e.g. examples/spark/run.sh /tmp/spark-measure 0 1
#
# Environment (defaults are the measurement; a smoke test: TRAIN=512 EPOCHS=1 TEST=500):
#   TRAIN (10000)  training images (data.params.train_limit)     EPOCHS (4)
#   TEST (0 = all) test images (data.params.test_limit)          AVG_FREQ (10) engine.params.averaging_frequency
#   WAYS ("single local2 cluster2")                              JAVA_OPTS (-Xmx3g) of the driver / single process
#   BPW (0)        engine.params.batch_per_worker; 0 = train.batch_size / workers (64 for 2 workers): 128 images per
#                  averaged step and the single process's number of sequential steps; 128 makes W x 128 images per
#                  averaged step and 1/W of the steps (see README)
#   MVN_ARGS       extra Maven arguments when the jar must be built (e.g. -o -Dmaven.repo.local=...)
#   LOCK           a file to flock around each run (e.g. /work/cpu.lock on a shared machine); unset: none
# No Spark distribution is needed: Spark's jars come from the Maven repository (runtime/spark/target/spark-classpath.txt),
# and local-cluster gets the settings Spark's own tests use to start executor JVMs outside an installation.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [ $# -lt 2 ]; then
  echo "usage: $0 OUT SEED [SEED...]" >&2
  exit 2
fi
out="$(mkdir -p "$1" && cd "$1" && pwd)"
shift
seeds=("$@")
for s in "${seeds[@]}"; do
  [[ "$s" =~ ^[0-9]+$ ]] || { echo "$0: seed '$s' is not a non-negative integer" >&2; exit 2; }
done
TRAIN="${TRAIN:-10000}" EPOCHS="${EPOCHS:-4}" TEST="${TEST:-0}" AVG_FREQ="${AVG_FREQ:-10}" BPW="${BPW:-0}"
[[ "$BPW" =~ ^[0-9]+$ ]] || { echo "$0: BPW '$BPW' is not a non-negative integer" >&2; exit 2; }
WAYS="${WAYS:-single local2 cluster2}"
[ -d /usr/share/datasets/fashion-mnist ] || { echo "$0: needs Fashion-MNIST (apt-get install dataset-fashion-mnist)" >&2; exit 2; }

target="$here/runtime/spark/target"
jar="$(ls "$target"/camloss-spark-*-app.jar 2>/dev/null | head -1 || true)"
if [ -z "$jar" ] || [ ! -f "$target/spark-classpath.txt" ]; then
  echo "run.sh: building the application jar (mvn -Pspark package) ..." >&2
  (cd "$here" && ${LOCK:+flock "$LOCK"} mvn -B -ntp -q ${MVN_ARGS:-} -Pspark -pl runtime/spark -am package -DskipTests) >&2
  jar="$(ls "$target"/camloss-spark-*-app.jar | head -1)"
fi
cp="$jar:$(cat "$target/spark-classpath.txt")"
opens="--add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED \
--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED \
--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/java.lang=ALL-UNNAMED"
# shellcheck disable=SC2206
jvm=(${JAVA_OPTS:--Xmx3g} -Djavacpp.platform=linux-x86_64 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn $opens)
# local-cluster outside a Spark installation (as Spark's own test suites start it): the worker launches executors
# with this JVM's java and the class path below instead of SPARK_HOME's scripts and jars
fake_home="$out/spark-home"
mkdir -p "$fake_home"

train_one() { # WAY SEED
  local way="$1" seed="$2" run="$out/runs/$1-seed$2"
  local args=("$here/examples/configs/fashion-mnist-resnet8.yaml" --out "$run" --no-progress --no-report
    --set "seed=$seed" --set "train.epochs=$EPOCHS" --set "data.params.train_limit=$TRAIN"
    --set "data.params.test_limit=$TEST")
  local main=org.camloss.cli.Main pre=(train) env=() extra=()
  case "$way" in
    single) ;;
    local2)
      main=org.camloss.spark.SparkTrain pre=()
      args+=(--set "engine.params.master=local[2]" --set engine.params.workers=2
        --set "engine.params.averaging_frequency=$AVG_FREQ" --set "engine.params.batch_per_worker=$BPW") ;;
    cluster2)
      main=org.camloss.spark.SparkTrain pre=()
      env=(SPARK_HOME="$fake_home" SPARK_TESTING=1 SPARK_SCALA_VERSION=2.12)
      extra=(-Dspark.test.home="$fake_home" -Dspark.executor.extraClassPath="$cp" -Dspark.executor.memory=1g)
      args+=(--set "engine.params.master=local-cluster[2,1,1536]" --set engine.params.workers=2
        --set "engine.params.averaging_frequency=$AVG_FREQ" --set "engine.params.batch_per_worker=$BPW") ;;
    *) echo "$0: unknown way '$way' (single, local2, cluster2)" >&2; exit 2 ;;
  esac
  rm -rf "$run"
  mkdir -p "$out/logs"
  echo "run.sh: $way seed $seed -> $run" >&2
  ${LOCK:+flock "$LOCK"} env ${env[@]+"${env[@]}"} java "${jvm[@]}" ${extra[@]+"${extra[@]}"} -cp "$cp" "$main" \
    ${pre[@]+"${pre[@]}"} "${args[@]}" >"$out/logs/$way-seed$seed.out" 2>"$out/logs/$way-seed$seed.err" || {
    echo "run.sh: $way seed $seed failed (exit $?); see $out/logs/$way-seed$seed.err" >&2
    tail -5 "$out/logs/$way-seed$seed.err" >&2
    exit 1
  }
}

for seed in "${seeds[@]}"; do
  for way in $WAYS; do
    train_one "$way" "$seed"
  done
done

python3 - "$out" "$WAYS" "${seeds[@]}" <<'PY' | tee "$out/results.md"
import json, sys, statistics
out, ways, seeds = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
print("| way | seed | test accuracy | train s/epoch | train+eval s/epoch | engine |")
print("|---|---|---|---|---|---|")
summary = {}
for way in ways:
    for seed in seeds:
        run = f"{out}/runs/{way}-seed{seed}"
        rows = [json.loads(l) for l in open(f"{run}/metrics.jsonl")]
        prov = json.load(open(f"{run}/run.json"))["provenance"]
        eng = prov.get("engine", {})
        acc = rows[-1]["test_accuracy"]
        tr = statistics.mean(r["train_seconds"] for r in rows)
        te = statistics.mean(r["train_seconds"] + r.get("eval_seconds", 0.0) for r in rows)
        bpw = eng.get("batch_per_worker")
        desc = (f"{eng['master']}, {eng['workers']} workers, {eng['rounds']} rounds, batch per worker {bpw}"
                if eng else "single process")
        print(f"| {way} | {seed} | {acc:.4f} | {tr:.1f} | {te:.1f} | {desc} |")
        summary.setdefault(way, []).append((acc, tr))
print()
print("| way | mean test accuracy | mean train s/epoch | vs single (accuracy points) |")
print("|---|---|---|---|")
base = statistics.mean(a for a, _ in summary["single"]) if "single" in summary else None
for way, v in summary.items():
    acc = statistics.mean(a for a, _ in v)
    d = f"{100 * (acc - base):+.2f}" if base is not None else "-"
    print(f"| {way} | {acc:.4f} | {statistics.mean(t for _, t in v):.1f} | {d} |")
PY
