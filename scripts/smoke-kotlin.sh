#!/usr/bin/env bash
# Kotlin smoke test of the real C ABI on the JVM: generates uniffi's Kotlin bindings from the
# built library, compiles them with Maven (Kotlin, JNA, coroutines, JUnit 5) and runs
# android/jvm's tests against the real server binary and the report golden vectors
# (model/tests/golden, passed as FIELDWORK_GOLDEN_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p fieldwork-ffi -p fieldwork-server
out=android/jvm/target/generated-sources/uniffi
rm -rf "$out" && mkdir -p "$out"
cargo run -q -p fieldwork-ffi --bin uniffi-bindgen -- generate \
  --library target/debug/libfieldwork_ffi.so --language kotlin --out-dir "$out" >/dev/null
golden="$PWD/model/tests/golden"
cd android/jvm
FIELDWORK_GOLDEN_DIR="$golden" mvn -B -q -ntp -Dstyle.color=never test
echo
# Surefire's own summary, read back from its report (mvn -q keeps the log short).
awk -F'[ ,]+' '/^Tests run:/ {run+=$3; failed+=$5+$7; skipped+=$9}
  END {printf "kotlin: %d passed, %d failed, %d skipped\n", run-failed-skipped, failed, skipped}' \
  target/surefire-reports/*.txt
