#!/usr/bin/env bash
# Checks the Android Kotlin code where nothing can compile android/app (no Android SDK, no Gradle
# here; android/README.md): generates the Kotlin bindings from the built library into a temporary
# folder, then android/scripts/ktcheck.py
#   - parses every .kt/.kts file under android/ (app, shell, ui, jvm, ffi, the Gradle scripts)
#     and the generated bindings with tree-sitter-kotlin and fails on any syntax error
#     (file:line:col of the first error node of each file);
#   - checks API drift: every FieldworkApp method and named argument, record field and
#     constructor, enum entry, ApiException subclass, foreign interface (SecretStore, LogSink,
#     JobsObserver) implementation, free function and import from app.fieldwork.ffi that the
#     android/ code uses exists in the generated bindings;
#   - checks that values/ and values-zh-rCN/ strings.xml of :ui and :app hold the same names and
#     format arguments, and every R.string the code names;
#   - runs its self-test: real uses renamed in memory must each be reported.
# Needs the project venv (.venv) with tree-sitter and tree-sitter-kotlin; installs them if missing.
# Usage: bash scripts/check-kotlin.sh [--verbose]   (--verbose: list every checked use)
set -euo pipefail
cd "$(dirname "$0")/.."
verbose=()
[ "${1:-}" = "--verbose" ] && verbose=(--verbose)

CHECK=check-kotlin
# shellcheck source=scripts/lib/grammar-check.sh
source scripts/lib/grammar-check.sh
start=$(date +%s)
ensure_grammar tree-sitter-kotlin 1.1.0
out="$(generate_bindings kotlin)"
trap 'rm -rf "$out"' EXIT
bindings="$(find "$out" -name fieldwork_ffi.kt | head -n 1)"
[ -n "$bindings" ] && [ -s "$bindings" ] || fail "uniffi-bindgen wrote no fieldwork_ffi.kt"

.venv/bin/python android/scripts/ktcheck.py --android android --bindings "$bindings" ${verbose[@]+"${verbose[@]}"} ||
  fail "FAILED (see above). To list every use it checked: bash scripts/check-kotlin.sh --verbose"
.venv/bin/python android/scripts/ktcheck.py --android android --bindings "$bindings" --self-test ||
  fail "the drift check's self-test FAILED: it no longer catches renamed uses (see above)"
echo "check-kotlin: ok in $(($(date +%s) - start)) s"
