#!/usr/bin/env bash
# Prints the spark module's test class path (its classes, prm-core's, orpo-core's and every dependency jar, Spark
# included), building what is missing. Run from anywhere; pass -o to stay offline.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/spark/target/test-classpath.txt"
mvn -B -q "$@" -f "$root/pom.xml" -pl spark -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$out" >&2
echo "$root/spark/target/test-classes:$root/spark/target/classes:$(cat "$out")"
