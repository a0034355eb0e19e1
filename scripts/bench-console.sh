#!/usr/bin/env bash
# The dispatch console's benchmarks (tests/browser/bench_console.py): the board with 1,000 jobs in
# headless Chromium, and a phone's sync to the open board showing it. Release builds. Prints
# Markdown rows for docs/benchmarks.md. Arguments: loads of the board (15), syncs (100).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
cargo build -q --release -p fieldwork-server -p fieldwork-cli
FIELDWORK_BIN_DIR="$PWD/target/release" PYTHONPATH=tests/browser .venv/bin/python tests/browser/bench_console.py "$@"
