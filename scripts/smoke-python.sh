#!/usr/bin/env bash
# Python smoke test of the real C ABI: generates uniffi's Python bindings from the built library
# and runs bindings/tests/python against the real server binary.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p fieldwork-ffi -p fieldwork-server
out=target/uniffi/python
rm -rf "$out" && mkdir -p "$out"
cargo run -q -p fieldwork-ffi --bin uniffi-bindgen -- generate \
  --library target/debug/libfieldwork_ffi.so --language python --out-dir "$out" >/dev/null
cp target/debug/libfieldwork_ffi.so "$out/"
FIELDWORK_BINDINGS="$out" FIELDWORK_SERVER_BIN="$PWD/target/debug/fieldwork-server" \
  .venv/bin/pytest -q bindings/tests/python
