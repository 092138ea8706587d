#!/usr/bin/env bash
# Counts DJL's native calls per decoded token at batch 1 (DecoderLm.forwardCached, per layer, and a whole Sampler
# step): compiles a small Java agent that wraps every native method of DJL's PyTorchLibrary with a counter (with the
# JDK's own copy of ASM, so nothing to download) and runs jnicount.NativeCalls against benchmarks/target/benchmarks.jar.
# Usage: benchmarks/native-calls/count-native-calls.sh [--detail]    (after mvn -B -q package -DskipTests)
#        BENCHMARKS_JAR=/path/to/benchmarks.jar benchmarks/native-calls/count-native-calls.sh   (another build)
set -euo pipefail
cd "$(dirname "$0")"
jar=$(realpath "${BENCHMARKS_JAR:-../target/benchmarks.jar}")
[[ -f $jar ]] || { echo "build first: mvn -B -q package -DskipTests" >&2; exit 1; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
asm=(--add-exports java.base/jdk.internal.org.objectweb.asm=ALL-UNNAMED)
javac "${asm[@]}" -d "$out" -cp "$jar" src/jnicount/*.java
printf 'Premain-Class: jnicount.Agent\nCan-Set-Native-Method-Prefix: true\nCan-Retransform-Classes: true\n' \
  > "$out/manifest.txt"
jar cfm "$out/jnicount.jar" "$out/manifest.txt" -C "$out" jnicount
java "${asm[@]}" -javaagent:"$out/jnicount.jar" -Dai.djl.offline=true -Dai.djl.pytorch.num_threads=1 \
  -cp "$jar:$out/jnicount.jar" jnicount.NativeCalls "$@" 2> >(grep -v -E "INFO|WARN" >&2)
