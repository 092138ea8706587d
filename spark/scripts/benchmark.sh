#!/usr/bin/env bash
# SparkRolloutBenchmark: one iteration of the quickstart's rollouts through the local engine, Spark local[1] and
# Spark local[2], each in a fresh JVM, then the table. Usage: spark/scripts/benchmark.sh OUT_DIR [benchmark args...]
# PyTorch runs one intra-op thread per task (as in the tests), so local[2] uses two cores and the local engine one
# (sizes: --questions 400 --samples 4 --rollouts 4 --simulated 400 --eval 100 --max-new-tokens 200 --shards 50,100).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: benchmark.sh OUT_DIR [args...]}"; shift
cp="$("$here/classpath.sh" -o)"
opens="$("$here/java-opens.sh")"
export MKL_CBWR=COMPATIBLE   # reproducible MKL kernels, so that the engines' files can be compared byte for byte
rm -f "$out/results.jsonl"
for engine in local 'local[1]' 'local[2]'; do
  # shellcheck disable=SC2086
  nice -n 5 java -Xmx6g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 -Dlog4j2.configurationFile=log4j2-test.properties $opens -cp "$cp" \
    io.github.sipf4j.spark.SparkRolloutBenchmark --engine "$engine" --out "$out" "$@"
done
java -cp "$cp" io.github.sipf4j.spark.SparkRolloutBenchmark --table --out "$out"
