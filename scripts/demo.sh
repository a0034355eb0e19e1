#!/usr/bin/env bash
# Runs the product on a fresh machine: the office server on its embedded SQLite database with
# demo data (`fieldwork-server serve --demo`), after making sure the one thing it needs beyond
# Rust is there: the Simplified Chinese font report PDFs are drawn with (Debian's
# fonts-noto-cjk, installed here when run as root on Debian). Without it the server still runs
# and says so; report PDFs answer 503 font_missing until the font is there.
# Extra arguments go to `serve` (e.g. --listen 0.0.0.0:8080, --data DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

# Where the server looks (report/src/fonts.rs, CJK_FONT_PATHS), or $FIELDWORK_FONT.
have_font() {
  [ -n "${FIELDWORK_FONT:-}" ] && return 0
  local f
  for f in /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc \
           /usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf \
           /usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc \
           /usr/share/fonts/truetype/noto/NotoSansCJKsc-Regular.otf \
           /usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc \
           /usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc; do
    [ -f "$f" ] && return 0
  done
  return 1
}

if ! have_font; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "demo: installing fonts-noto-cjk for report PDFs" >&2
    # A machine without the package mirror still gets its server, without PDFs.
    if ! { apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null; }; then
      echo "demo: could not install fonts-noto-cjk; starting without report PDFs" >&2
    fi
  else
    echo "demo: report PDFs need Noto Sans CJK SC: install the Debian package fonts-noto-cjk" \
      "(or set FIELDWORK_FONT to the font file); starting without it" >&2
  fi
fi
exec cargo run -p fieldwork-server -- serve --demo "$@"
