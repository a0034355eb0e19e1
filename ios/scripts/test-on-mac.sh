#!/usr/bin/env bash
# Runs FieldworkShellTests on an iOS simulator against the real office server, on a Mac:
# builds the XCFramework and bindings (unless --no-build), starts fieldwork-server on a free
# loopback port with a fresh data directory, creates one technician and one-time enrollment
# code per test, and runs `xcodebuild test` with them in the test runner's environment
# (xcodebuild hands TEST_RUNNER_X to the tests as X). The simulator shares the Mac's loopback.
# Usage: bash ios/scripts/test-on-mac.sh [--no-build] [simulator name, default "iPhone 16"]
set -euo pipefail

ios="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$ios/.." && pwd)"
build=1
if [ "${1:-}" = "--no-build" ]; then
  build=0
  shift
fi
simulator="${1:-iPhone 16}"
technicians=(ios-enroll ios-visit ios-resync ios-sign ios-refuse ios-pdf ios-detail ios-photo ios-time)

fail() { printf 'test-on-mac: %s\n' "$*" >&2; exit 1; }
[ "$(uname -s)" = Darwin ] || fail "needs macOS with Xcode and an iOS simulator"

if [ "$build" = 1 ]; then
  bash "$ios/scripts/build-xcframework.sh" --debug
fi
[ -d "$ios/FieldworkFFI.xcframework" ] || fail "no FieldworkFFI.xcframework: run ios/scripts/build-xcframework.sh"

cd "$root"
cargo build -q -p fieldwork-server
server="$root/target/debug/fieldwork-server"
data="$(mktemp -d -t fieldwork-ios-tests)"
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
url="http://127.0.0.1:$port"
"$server" serve --data "$data" --listen "127.0.0.1:$port" >"$data/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -fsS "$url/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$url/api/v1/health" >/dev/null || fail "the office server did not start: $(tail -5 "$data/server.log")"

token="$("$server" token --data "$data")"
codes=""
for t in "${technicians[@]}"; do
  curl -fsS -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: application/json' \
    -d "{\"id\":\"$t\",\"name\":\"$t\",\"region\":\"east\"}" "$url/api/v1/technicians" ||
    fail "could not create technician $t"
  code="$("$server" enroll-code --data "$data" --technician "$t" | awk '{print $NF}')"
  codes="${codes:+$codes,}$t=$code"
done

font="${FIELDWORK_CJK_FONT:-}"
cd "$ios"
TEST_RUNNER_FIELDWORK_SERVER_URL="$url" \
TEST_RUNNER_FIELDWORK_DISPATCH_TOKEN="$token" \
TEST_RUNNER_FIELDWORK_ENROLL_CODES="$codes" \
TEST_RUNNER_FIELDWORK_CJK_FONT="$font" \
  xcodebuild test \
    -scheme Fieldwork-Package \
    -destination "platform=iOS Simulator,name=$simulator" \
    -parallel-testing-enabled NO \
    CODE_SIGNING_ALLOWED=NO
