#!/usr/bin/env bash
# Starts a Spark standalone master and one worker from the Maven jars on the loopback interface, runs the tiny run of
# the tests through SparkRolloutEngine on it (StandaloneCheck: byte-identical to a local run), and stops both.
# Usage: spark/scripts/standalone.sh [WORK_DIR]. No Spark distribution is needed: the worker launches executors with
# a SPARK_HOME whose jars/ folder links the Maven jars of the module's class path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$(mkdir -p "${1:-$root/spark/target/standalone}" && cd "${1:-$root/spark/target/standalone}" && pwd)"
cp="$("$here/classpath.sh" -o)"
opens="$("$here/java-opens.sh")"
home="$work/spark-home"
rm -rf "$home" && mkdir -p "$home/jars" "$home/logs"
classes=()
IFS=: read -ra entries <<< "$cp"
for e in "${entries[@]}"; do
  if [[ "$e" == *.jar ]]; then ln -sf "$e" "$home/jars/"; else classes+=("$e"); fi
done
classdirs="$(IFS=:; echo "${classes[*]}")"
# Byte-identical files across JVMs need the same kernels everywhere: reproducible MKL and one PyTorch thread.
export MKL_CBWR=COMPATIBLE
export SPARK_HOME="$home" SPARK_SCALA_VERSION=2.13 SPARK_LOCAL_IP=127.0.0.1 SPARK_WORKER_DIR="$work/worker"
port=$((17000 + RANDOM % 1000))
# shellcheck disable=SC2086
java $opens -Dlog4j2.configurationFile=org/apache/spark/log4j2-defaults.properties -cp "$cp" \
  org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port 0 \
  > "$work/master.log" 2>&1 &
master_pid=$!
# shellcheck disable=SC2086
java $opens -Dlog4j2.configurationFile=org/apache/spark/log4j2-defaults.properties -cp "$cp" \
  org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --webui-port 0 --cores 2 \
  --memory 4g "spark://127.0.0.1:$port" > "$work/worker.log" 2>&1 &
worker_pid=$!
trap 'kill "$worker_pid" "$master_pid" 2>/dev/null || true' EXIT
for _ in $(seq 180); do
  grep -q "Successfully registered with master" "$work/worker.log" && break
  sleep 1
done
grep -q "Successfully registered with master" "$work/worker.log" || { echo "the worker did not register"; tail -20 "$work/worker.log"; exit 1; }
# shellcheck disable=SC2086
java $opens -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dlog4j2.configurationFile=log4j2-test.properties -cp "$cp" \
  -Dspark.executor.extraClassPath="$classdirs" -Dspark.executor.extraJavaOptions="-Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1" \
  -Dspark.executorEnv.MKL_CBWR=COMPATIBLE \
  -Dspark.driver.host=127.0.0.1 -Dspark.cores.max=2 -Dspark.executor.cores=2 -Dspark.executor.memory=2g \
  io.github.sipf4j.spark.StandaloneCheck "spark://127.0.0.1:$port" "$work/runs" 3
