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

CHECK=check-swift
# shellcheck source=scripts/lib/grammar-check.sh
source scripts/lib/grammar-check.sh
start=$(date +%s)
ensure_grammar tree-sitter-swift 0.7.4
out="$(generate_bindings swift)"
trap 'rm -rf "$out"' EXIT
[ -s "$out/FieldworkFFI.swift" ] || fail "uniffi-bindgen wrote no FieldworkFFI.swift"

.venv/bin/python ios/scripts/swiftcheck.py --ios ios --bindings "$out/FieldworkFFI.swift" ${verbose[@]+"${verbose[@]}"} ||
  fail "FAILED (see above). To list every use it checked: bash scripts/check-swift.sh --verbose"
.venv/bin/python ios/scripts/swiftcheck.py --ios ios --bindings "$out/FieldworkFFI.swift" --self-test ||
  fail "the drift check's self-test FAILED: it no longer catches renamed calls (see above)"
echo "check-swift: ok in $(($(date +%s) - start)) s"
