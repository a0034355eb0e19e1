#!/usr/bin/env bash
# Rewrites the golden screenshots of the Android screens (android/jvm/src/test/goldens/*.png):
# runs GoldenScreensTest (Compose for desktop over the real core and office server) with
# -Dfieldwork.goldens.update=true, so it writes each screen's PNG instead of comparing it.
# Review the pictures (git diff --stat, an image viewer) before committing them; the test
# command (scripts/smoke-kotlin.sh) then compares every screen with them.
#
# Builds the core and the server with cargo as scripts/smoke-kotlin.sh does, unless
# FIELDWORK_NATIVE_DIR names a directory holding libfieldwork_ffi.so and fieldwork-server
# already built: then cargo is not called, and the Kotlin bindings are taken from
# FIELDWORK_BINDINGS_DIR (uniffi's generated kotlin/ directory) or, without it, from the
# previous build's android/jvm/target/generated-sources/uniffi.
#
#   bash scripts/goldens.sh
#   FIELDWORK_NATIVE_DIR=/tmp/fw-native FIELDWORK_BINDINGS_DIR=/tmp/fw-bindings/kotlin bash scripts/goldens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
generated=android/jvm/target/generated-sources
if [[ -n "${FIELDWORK_NATIVE_DIR:-}" ]]; then
  native="$(cd "$FIELDWORK_NATIVE_DIR" && pwd)"
  if [[ -n "${FIELDWORK_BINDINGS_DIR:-}" ]]; then
    rm -rf "$generated/uniffi" && mkdir -p "$generated/uniffi"
    cp -r "$FIELDWORK_BINDINGS_DIR/." "$generated/uniffi/"
  elif [[ -z "$(ls -A "$generated/uniffi" 2>/dev/null)" ]]; then
    echo "goldens.sh: FIELDWORK_NATIVE_DIR is set but there are no Kotlin bindings: set FIELDWORK_BINDINGS_DIR" >&2
    exit 1
  fi
  rm -rf "$generated/r"
  python3 android/jvm/gen-r.py android/ui/src/main/res "$generated/r"
else
  cargo build -q -p fieldwork-ffi -p fieldwork-server
  bash scripts/kotlin-sources.sh target/debug
  native="$PWD/target/debug"
fi
cd android/jvm
mvn -B -q -ntp -Dstyle.color=never test -Dtest=GoldenScreensTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dnative.dir="$native" -Dfieldwork.goldens.update=true
count=$(ls src/test/goldens/*.png | wc -l)
size=$(du -sh src/test/goldens | cut -f1)
echo "goldens: $count pictures, $size in android/jvm/src/test/goldens"
