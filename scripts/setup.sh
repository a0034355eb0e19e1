#!/usr/bin/env bash
# Installs what the tests need beyond a Rust toolchain, on a fresh Debian machine (as root) or a
# developer's: a Python venv with pytest and cryptography, a JDK with Maven for the Kotlin smoke
# test, the CJK font and poppler for report PDFs, and Chromium for the console's browser tests.
# Idempotent and quick when everything is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

# cryptography verifies the report golden vectors' Ed25519 signature (bindings/tests/python);
# tree-sitter parses the iOS Swift code (scripts/check-swift.sh); selenium drives Chromium for
# the dispatch console's browser tests (tests/browser); schemathesis and openapi-spec-validator
# test the office API from its own description (scripts/api-properties.sh); openpyxl opens the
# console's XLSX exports.
CRYPTOGRAPHY=50.0.2
SELENIUM=4.51.0
SCHEMATHESIS=4.32.5
if [ ! -x .venv/bin/pytest ] ||
   ! .venv/bin/python -c "import cryptography, sys; sys.exit(cryptography.__version__ != '$CRYPTOGRAPHY')" 2>/dev/null ||
   ! .venv/bin/python -c "import selenium, sys; sys.exit(selenium.__version__ != '$SELENIUM')" 2>/dev/null ||
   ! .venv/bin/python -c "import schemathesis, sys; sys.exit(schemathesis.__version__ != '$SCHEMATHESIS')" 2>/dev/null ||
   ! .venv/bin/python -c "import openapi_spec_validator, openpyxl" 2>/dev/null ||
   ! .venv/bin/python -c "import tree_sitter, tree_sitter_swift" 2>/dev/null; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check pytest "cryptography==$CRYPTOGRAPHY" \
    "tree-sitter==0.26.1" "tree-sitter-swift==0.7.4" "selenium==$SELENIUM" \
    "schemathesis==$SCHEMATHESIS" "openapi-spec-validator==0.9.0" "openpyxl==3.1.5"
fi

if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: Maven and a JDK are needed; install maven and openjdk-17-jdk-headless" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq maven openjdk-17-jdk-headless >/dev/null
fi
# Report PDFs: the Simplified Chinese face of Noto Sans CJK (embedded in zh-CN reports) and
# poppler's pdftotext/pdffonts, which the tests use to read the PDFs back (DejaVu Sans: a font
# without CJK glyphs, for the test that a zh-CN report is refused with it).
if [ ! -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: report PDFs need the Debian packages fonts-noto-cjk, fonts-dejavu-core and poppler-utils" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk fonts-dejavu-core poppler-utils >/dev/null
fi
# The console's browser tests: Debian's Chromium and the chromedriver built with it (same version,
# so nothing is downloaded at test time).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: the browser tests need the Debian packages chromium and chromium-driver" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
echo "setup: python venv, JDK, Maven, CJK font, poppler and Chromium ready"
