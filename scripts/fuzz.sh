#!/usr/bin/env bash
# Builds the libFuzzer targets in fuzz/ and runs each for SECONDS (default 60):
#
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
#
# Needs only rustup's nightly toolchain (installed if missing) and a C++ compiler for
# libFuzzer's sources (libfuzzer-sys builds them). The targets are built the way cargo-fuzz
# builds them (sanitizer coverage, `--cfg fuzzing`, debug assertions and overflow checks, and
# AddressSanitizer unless FUZZ_SANITIZER=none), with no cargo-fuzz to install. The first build
# takes a few minutes (all dependencies, instrumented); later ones only rebuild what changed. Each target
# starts from its committed seeds (fuzz/corpus/<target>) and keeps what it finds in a working
# corpus out of git (fuzz/target/corpus/<target>), so later runs go on from there.
# Exits non-zero if any target crashed, leaked, hung or ran out of memory, naming the input
# that did it (saved under fuzz/artifacts/<target>/). Replay one with
#   fuzz/target/<triple>/release/<target> fuzz/artifacts/<target>/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(sync_request device_change contract_json strokes report_canonical image_decode)
fi
sanitizer="${FUZZ_SANITIZER:-address}"

if ! cargo +nightly --version >/dev/null 2>&1; then
  rustup toolchain install nightly --profile minimal
fi
triple="$(rustc +nightly -vV | sed -n 's/^host: //p')"

# The instrumentation cargo-fuzz adds; debug assertions and overflow checks come from the
# fuzz crate's release profile. `--target` keeps these flags off build scripts and proc macros.
flags=(
  --cfg fuzzing
  -Cpasses=sancov-module
  -Cllvm-args=-sanitizer-coverage-level=4
  -Cllvm-args=-sanitizer-coverage-inline-8bit-counters
  -Cllvm-args=-sanitizer-coverage-pc-table
  -Cllvm-args=-sanitizer-coverage-trace-compares
  -Cllvm-args=-simplifycfg-branch-fold-threshold=0
)
case "$triple" in *-linux-*) flags+=(-Cllvm-args=-sanitizer-coverage-stack-depth) ;; esac
case "$sanitizer" in
  none) ;;
  address) flags+=(-Zsanitizer=address) ;;
  *) echo "FUZZ_SANITIZER must be address or none, got $sanitizer" >&2; exit 2 ;;
esac

echo "==> building ${#targets[@]} fuzz target(s) ($sanitizer sanitizer)"
bins=()
for t in "${targets[@]}"; do bins+=(--bin "$t"); done
RUSTFLAGS="${flags[*]}" cargo +nightly build --manifest-path fuzz/Cargo.toml --release \
  --target "$triple" "${bins[@]}"

export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_odr_violation=0"
failed=()
for t in "${targets[@]}"; do
  work="fuzz/target/corpus/$t"
  artifacts="fuzz/artifacts/$t"
  mkdir -p "$work" "$artifacts"
  args=(
    -max_total_time="$seconds"
    -timeout=30
    -rss_limit_mb=2048
    -malloc_limit_mb=1024
    -artifact_prefix="$artifacts/"
    -print_final_stats=1
  )
  [ -f "fuzz/dict/$t.dict" ] && args+=(-dict="fuzz/dict/$t.dict")
  echo "==> fuzzing $t for ${seconds}s"
  marker="$(mktemp)"
  status=0
  "fuzz/target/$triple/release/$t" "${args[@]}" "$work" "fuzz/corpus/$t" \
    >"fuzz/target/$t.log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "fuzz/target/$t.log" || true
  new="$(find "$artifacts" -type f -newer "$marker" | sort)"
  rm -f "$marker"
  if [ "$status" -ne 0 ] || [ -n "$new" ]; then
    tail -n 40 "fuzz/target/$t.log" >&2
    echo "FAILED: $t (exit $status); input: ${new:-see fuzz/target/$t.log}" >&2
    failed+=("$t")
  fi
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
echo "==> no crashes in ${#targets[@]} target(s), ${seconds}s each"
