#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md in release mode against the real server on
# loopback. Pass one name (one-change, big-store, first-sync, local-edit, contracts, reports,
# office-db, hostile, at-rest, many-devices, stock,
# integration) to run only that one; `bad-link` runs
# scripts/bad-link.sh (its own options follow).
set -euo pipefail
cd "$(dirname "$0")/.."
# The bad link has its own script (network namespaces, a relay; root): `bench.sh bad-link ...`.
if [ "${1:-}" = bad-link ]; then
    shift
    exec bash scripts/bad-link.sh "$@"
fi
cargo build --release -p fieldwork-server -p fieldwork-tests --bins
exec target/release/fieldwork-bench "$@"
