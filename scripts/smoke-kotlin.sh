#!/usr/bin/env bash
# Kotlin on the JVM: generates uniffi's Kotlin bindings from the built library (and :ui's string
# ids), compiles them with the Android shell and its Compose screens with Maven (Kotlin, JNA,
# coroutines, Compose for desktop, JUnit 5) and runs android/jvm's tests: the C ABI smoke test,
# the shell's view-model tests and the Compose UI tests, against the real server binary and
# the report golden vectors (model/tests/golden, passed as FIELDWORK_GOLDEN_DIR). The UI tests
# leave a PNG of each screen in android/jvm/target/screenshots (scripts/screenshots.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p fieldwork-ffi -p fieldwork-server
bash scripts/kotlin-sources.sh target/debug
golden="$PWD/model/tests/golden"
cd android/jvm
FIELDWORK_GOLDEN_DIR="$golden" mvn -B -q -ntp -Dstyle.color=never test
echo
# Surefire's own summary, read back from its report (mvn -q keeps the log short).
awk -F'[ ,]+' '/^Tests run:/ {run+=$3; failed+=$5+$7; skipped+=$9}
  END {printf "kotlin: %d passed, %d failed, %d skipped\n", run-failed-skipped, failed, skipped}' \
  target/surefire-reports/*.txt
