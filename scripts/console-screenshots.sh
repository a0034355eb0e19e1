#!/usr/bin/env bash
# The README's pictures of the dispatch console: the demo in headless Chromium, written to
# docs/screenshots/console-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh >/dev/null
cargo build -q -p fieldwork-server
PYTHONPATH=tests/browser .venv/bin/python tests/browser/console_screenshots.py docs/screenshots
ls docs/screenshots/console-*.png
