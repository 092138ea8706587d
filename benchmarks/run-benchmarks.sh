#!/usr/bin/env bash
# The performance report: installs the PyTorch reference's Debian packages if missing, builds, and runs sipf4j and
# PyTorch side by side: BenchmarkRunner (ORPO step, log-probs, parity, PRM step scoring, memory, scaling), then
# SamplingBenchmark (tokens/s with and without the KV cache, and PyTorch's eager loop) and SamplingStepBenchmark (the
# per-token cost of choosing a token at vocabularies of 32k, 152k and 256k ids, and PyTorch's multinomial), then
# HfBenchmark (Hugging Face llama models of 39 M and 100 M parameters against scripts/hf_reference.py: sampling, ORPO
# step, loading; one intra-op thread on both sides).
# Usage: benchmarks/run-benchmarks.sh [--no-sampling] [--no-hf] [BenchmarkRunner options, e.g. --sizes M1,M5]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-torch libopenblas0-pthread
  else
    echo "warning: no python3-torch; the PyTorch columns will read n/a" >&2
  fi
fi
sampling=1
hf=1
args=()
for a in "$@"; do
  case "$a" in
    --no-sampling) sampling=0 ;;
    --no-hf) hf=0 ;;
    *) args+=("$a") ;;
  esac
done
mvn -B -q package -DskipTests -pl benchmarks -am
java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.BenchmarkRunner \
  ${args[@]+"${args[@]}"}
if [[ $sampling == 1 ]]; then
  echo
  echo "## Sampling"
  echo
  java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.SamplingBenchmark \
    --threads "$(nproc)" --repeats 2 --torch-reference benchmarks/python/torch_reference.py
  echo
  java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.SamplingStepBenchmark \
    --threads "$(nproc)" --torch-reference benchmarks/python/torch_reference.py
fi
if [[ $hf == 1 ]]; then
  echo
  echo "## Hugging Face models"
  echo
  java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar io.github.sipf4j.benchmarks.HfBenchmark \
    --threads 1 --reference scripts/hf_reference.py
fi
