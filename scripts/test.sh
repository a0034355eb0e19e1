#!/usr/bin/env bash
# Runs every test of the project: style gates, the Rust workspace (unit, property, end-to-end,
# durability, faults; the server's suites twice, on SQLite and then on PostgreSQL), the smoke
# tests of the real C ABI from Python and from Kotlin on the JVM, the console in a browser, and
# a short pass of every fuzz target, and a property-based pass over the API's description.
# Installs what it needs first (scripts/setup.sh). Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# The hostile-network tests hold 2,000 connections open at once (4,000 descriptors with the
# server's side in the same process): lift the soft limit to what the machine allows.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

step "setup"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "the office's layers: no HTTP below the server, no office rules on the phone"
bash scripts/check-layers.sh

step "cargo test --workspace"
cargo test --workspace

step "PostgreSQL: the storage tests, the API and end-to-end suites again on a private cluster"
pgdir=$(mktemp -d /tmp/fieldwork-pg.XXXXXX)
trap 'bash scripts/postgres.sh stop "$pgdir" || true; rm -rf "$pgdir"' EXIT
pgurl=$(bash scripts/postgres.sh start "$pgdir")
FIELDWORK_TEST_POSTGRES="$pgurl" cargo test -p fieldwork-store-postgres -p fieldwork-server -p fieldwork-tests
bash scripts/postgres.sh stop "$pgdir"

step "The office API from its description: openapi-spec-validator, then Schemathesis (fixed seed; long runs: scripts/api-properties.sh 1000)"
bash scripts/api-properties.sh 20 --seed 22

step "Python smoke test of the C ABI"
bash scripts/smoke-python.sh

step "Swift bindings generate from the built library (no Swift toolchain here to compile them)"
rm -rf target/uniffi/swift
cargo run -q -p fieldwork-ffi --bin uniffi-bindgen -- generate \
  --library target/debug/libfieldwork_ffi.so --language swift --out-dir target/uniffi/swift >/dev/null
test -s target/uniffi/swift/FieldworkFFI.swift && grep -q "class FieldworkApp" target/uniffi/swift/FieldworkFFI.swift

step "Swift: syntax, API drift against the generated bindings, strings (tree-sitter)"
bash scripts/check-swift.sh

step "Kotlin: syntax, API drift against the generated bindings, strings (tree-sitter)"
bash scripts/check-kotlin.sh

step "Dispatch console in headless Chromium (Selenium): login, forms, live board, verified report, revoke"
bash scripts/browser-tests.sh

step "Kotlin (JVM): smoke test of the C ABI and the Android shell's tests"
bash scripts/smoke-kotlin.sh

step "Fuzz targets, 10 s each (libFuzzer on nightly, AddressSanitizer; long runs: scripts/fuzz.sh 600)"
bash scripts/fuzz.sh 10
