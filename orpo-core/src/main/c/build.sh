#!/usr/bin/env bash
# Rebuilds the native helper (sipf4j_native.c) into orpo-core's resources. Needs gcc; the result depends only
# on glibc 2.2.5 symbols, so a binary built on any current Linux loads on old ones too.
set -euo pipefail
cd "$(dirname "$0")"
out=../resources/io/github/sipf4j/orpo/native/linux-x86_64/libsipf4j_native.so
gcc -O2 -fPIC -shared -fvisibility=hidden -Wall -Wextra -Werror -Wl,--no-undefined -Wl,-s \
  -Wl,--build-id=none -o "$out" sipf4j_native.c -lc
echo "wrote $out ($(stat -c %s "$out") bytes)"
