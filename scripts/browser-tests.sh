#!/usr/bin/env bash
# The dispatch console's browser tests (tests/browser): headless Chromium through Selenium against
# the real server and the real `fieldwork` CLI as the phone. Part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p fieldwork-server -p fieldwork-cli
.venv/bin/pytest -q tests/browser "$@"
