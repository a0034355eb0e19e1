#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md in release mode against the real server on
# loopback. Pass one name (one-change, big-store, first-sync, local-edit, contracts, reports,
# office-db, hostile, at-rest, many-devices) to run only that one.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p fieldwork-server -p fieldwork-tests --bins
exec target/release/fieldwork-bench "$@"
