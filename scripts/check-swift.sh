#!/usr/bin/env bash
# Checks the iOS Swift code where there is no Swift toolchain (ios/README.md, "What is checked
# here"): generates the Swift bindings from the built library into a temporary folder, then
# ios/scripts/swiftcheck.py
#   - parses every .swift file under ios/ and the generated bindings with tree-sitter-swift and
#     fails on any syntax error (file:line:col of the first error node of each file);
#   - checks API drift: every FieldworkApp method and argument label, record field, enum and
#     ApiError case, record initializer, foreign-trait requirement (SecretStore, LogSink,
#     JobsObserver) and free function the ios/ code uses exists in the generated bindings;
#   - checks that the en and zh-Hans Localizable.strings agree and hold every key the code names;
#   - runs its self-test: real call sites renamed in memory must each be reported.
# Needs the project venv (.venv) with tree-sitter and tree-sitter-swift; installs them if missing.
# Usage: bash scripts/check-swift.sh [--verbose]   (--verbose: list every checked use)
set -euo pipefail
cd "$(dirname "$0")/.."
verbose=()
[ "${1:-}" = "--verbose" ] && verbose=(--verbose)

TREE_SITTER=0.26.1
TREE_SITTER_SWIFT=0.7.4
fail() { printf 'check-swift: %s\n' "$*" >&2; exit 1; }
start=$(date +%s)

if ! .venv/bin/python - "$TREE_SITTER" "$TREE_SITTER_SWIFT" 2>/dev/null <<'PY'
import sys
from importlib.metadata import version
sys.exit(version("tree-sitter") != sys.argv[1] or version("tree-sitter-swift") != sys.argv[2])
PY
then
  [ -x .venv/bin/python ] || python3 -m venv .venv || fail "cannot create the Python venv .venv"
  .venv/bin/pip install --quiet --disable-pip-version-check \
    "tree-sitter==$TREE_SITTER" "tree-sitter-swift==$TREE_SITTER_SWIFT" ||
    fail "cannot install tree-sitter==$TREE_SITTER and tree-sitter-swift==$TREE_SITTER_SWIFT into .venv"
fi

cargo build -q -p fieldwork-ffi
lib=""
for candidate in target/debug/libfieldwork_ffi.so target/debug/libfieldwork_ffi.dylib; do
  [ -f "$candidate" ] && lib="$candidate" && break
done
[ -n "$lib" ] || fail "no target/debug/libfieldwork_ffi.{so,dylib} after cargo build -p fieldwork-ffi"

out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
cargo run -q -p fieldwork-ffi --bin uniffi-bindgen -- generate \
  --library "$lib" --language swift --no-format --out-dir "$out" >/dev/null ||
  fail "uniffi-bindgen could not generate the Swift bindings from $lib"
[ -s "$out/FieldworkFFI.swift" ] || fail "uniffi-bindgen wrote no FieldworkFFI.swift"

.venv/bin/python ios/scripts/swiftcheck.py --ios ios --bindings "$out/FieldworkFFI.swift" ${verbose[@]+"${verbose[@]}"} ||
  fail "FAILED (see above). To list every use it checked: bash scripts/check-swift.sh --verbose"
.venv/bin/python ios/scripts/swiftcheck.py --ios ios --bindings "$out/FieldworkFFI.swift" --self-test ||
  fail "the drift check's self-test FAILED: it no longer catches renamed calls (see above)"
echo "check-swift: ok in $(($(date +%s) - start)) s"
