#!/usr/bin/env bash
# The load generator of issue 10: DEVICES phones (default 1,000) with 5 to 20 jobs each sync
# against one release office server on loopback (first sync down, edits and photos up while
# dispatch writes, a steady round), and a Markdown table of doc-syncs per second, latencies and
# the server's peak RSS. Extra arguments go to fieldwork-load (--concurrency N, --seed S,
# --dispatch-per-sec R, --photo-share F, --encoding cbor|json, --no-limits). Results:
# docs/benchmarks.md ("Issue 10: 1,000 phones against one office").
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:-1000}"
shift || true
cargo build --release -p fieldwork-server -p fieldwork-tests --bin fieldwork-server --bin fieldwork-load
mkdir -p target/load
json="target/load/load-${devices}-$(date -u +%Y%m%dT%H%M%SZ).jsonl"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
target/release/fieldwork-load "$devices" --json "$json" "$@" || status=$?
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg); JSON lines in $json"
exit "$status"
