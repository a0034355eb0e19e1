#!/usr/bin/env bash
# The dispatch board's benchmarks (tests/browser/bench_board.py): the day plan with 1,000 jobs over
# 50 technicians in headless Chromium (first render, a live change, a drag to a phone). Release
# builds. Prints Markdown rows for docs/benchmarks.md. Arguments: loads (15), changes (40), drags (15).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
cargo build -q --release -p fieldwork-server -p fieldwork-cli
FIELDWORK_BIN_DIR="$PWD/target/release" PYTHONPATH=tests/browser .venv/bin/python tests/browser/bench_board.py "$@"
