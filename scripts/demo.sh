#!/usr/bin/env bash
# Runs the product on a fresh machine: the office server on its embedded SQLite database with
# demo data (`fieldwork-server serve --demo`), after making sure the one thing it needs beyond
# Rust is there: the Simplified Chinese font report PDFs are drawn with (Debian's
# fonts-noto-cjk). Without it the server still runs, but report PDFs answer 503 font_missing.
# Extra arguments go to `serve` (e.g. --listen 0.0.0.0:8080, --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

FONT=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
if [ ! -f "$FONT" ] && [ -z "${FIELDWORK_FONT:-}" ]; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "demo: installing fonts-noto-cjk for report PDFs" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null
  else
    echo "demo: report PDFs need Noto Sans CJK SC: install the Debian package fonts-noto-cjk" \
      "(or set FIELDWORK_FONT to the font file); starting without it" >&2
  fi
fi
exec cargo run -p fieldwork-server -- serve --demo "$@"
