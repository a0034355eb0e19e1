#!/usr/bin/env bash
# Generates what android/jvm's Maven build compiles besides the sources in the repository:
# uniffi's Kotlin bindings, read from the built library NATIVE_DIR/libfieldwork_ffi.so (library
# mode), and :ui's string ids and tables from its strings.xml (android/jvm/gen-r.py).
# usage: scripts/kotlin-sources.sh NATIVE_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
native="$1"
generated=android/jvm/target/generated-sources
rm -rf "$generated/uniffi" "$generated/r" && mkdir -p "$generated/uniffi"
cargo run -q -p fieldwork-ffi --bin uniffi-bindgen -- generate \
  --library "$native/libfieldwork_ffi.so" --language kotlin --out-dir "$generated/uniffi" >/dev/null
python3 android/jvm/gen-r.py android/ui/src/main/res "$generated/r"
