#!/usr/bin/env bash
# The Android shell's benchmarks on the desktop JVM (android/jvm/src/bench/kotlin): app start to
# the job list with 1,000 jobs in the store (a new JVM per run, and warm in one JVM), and the
# TodayViewModel refresh after a sync that changed 10 jobs. Release build of the native library
# and the server, the real server on loopback. Prints Markdown rows `| what | target | measured |`
# on stdout (the per-run numbers go to stderr). BENCH_RUNS sets the runs per benchmark (15).
# Not part of scripts/smoke-kotlin.sh or `mvn test`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --release -p fieldwork-ffi -p fieldwork-server
native="$PWD/target/release"
# Library mode reads the interface from the release library itself.
bash scripts/kotlin-sources.sh "$native"
cd android/jvm
# Maven's output goes to stderr: stdout carries the table rows only.
mvn -B -q -ntp -Dstyle.color=never -Pbench test-compile >&2
mvn -B -q -ntp -Dstyle.color=never org.apache.maven.plugins:maven-dependency-plugin:2.8:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/bench.classpath >&2
exec java -cp "target/test-classes:target/classes:$(cat target/bench.classpath)" \
  -Djna.library.path="$native" -Dfieldwork.server.bin="$native/fieldwork-server" \
  -Dbench.runs="${BENCH_RUNS:-15}" app.fieldwork.bench.AndroidBenchKt
