#!/usr/bin/env bash
# The README's pictures of the technician's screens: runs the Compose screenshot test on the
# desktop JVM (android/jvm ScreenshotTest: the real core and office, a 400 x 800 dp window,
# English and Chinese) and copies its PNGs to docs/screenshots. The same test runs in the test
# command (scripts/smoke-kotlin.sh), which checks every screen renders; this only keeps the
# pictures.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p fieldwork-ffi -p fieldwork-server
bash scripts/kotlin-sources.sh target/debug
out="$PWD/docs/screenshots"
mkdir -p "$out"
(cd android/jvm && mvn -B -q -ntp -Dstyle.color=never test -Dtest=ScreenshotTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfieldwork.screenshots="$out")
ls "$out"
