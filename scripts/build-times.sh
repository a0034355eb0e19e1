#!/usr/bin/env bash
# Build times of the office server at one or more revisions (issue 18), each checked out in a
# temporary worktree with an empty target directory (the working tree is left alone):
#  - a clean `cargo build -p fieldwork-server`;
#  - a rebuild after a one-line change inside one handler (`add_note`), median of 3;
#  - the SQLite backend's tests (`cargo test --no-run`: `-p fieldwork-store-sqlite` once the
#    backend is its own crate, `-p fieldwork-server --lib` before), first built after the server,
#    then rebuilt after a one-line change in the backend's `store_job`, median of 3.
#   bash scripts/build-times.sh 4ce3791 HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
revs=("${@:-HEAD}")

seconds() { # runs "$@" and prints how long it took
  local start
  start=$(date +%s.%N)
  "$@" >/dev/null
  echo "$(date +%s.%N) - $start" | bc
}

median_of_3() { # file, line, then the command to time after touching that line
  local file=$1 line=$2 times=()
  shift 2
  for i in 1 2 3; do
    sed -i "$((line - 1))a // build-times touch $i" "$file"
    times+=("$(seconds "$@")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 2p
}

printf '| revision | clean build (s) | after one handler, median of 3 (s) | SQLite backend tests, first build (s) | after one change in the backend, median of 3 (s) |\n'
printf '| --- | --- | --- | --- | --- |\n'
for rev in "${revs[@]}"; do
  work=$(mktemp -d /tmp/fieldwork-build.XXXXXX)
  git worktree add -q --detach "$work/tree" "$rev"
  pushd "$work/tree" >/dev/null
  build=(cargo build -q -p fieldwork-server --target-dir "$work/target")
  if [ -d store-sqlite ]; then
    tests=(cargo test -q --no-run -p fieldwork-store-sqlite --target-dir "$work/target")
    backend=store-sqlite/src/jobs.rs
  else
    tests=(cargo test -q --no-run -p fieldwork-server --lib --target-dir "$work/target")
    backend=server/src/storage/sqlite.rs
  fi
  clean=$(seconds "${build[@]}")
  # The handler that adds a dispatcher's note, wherever the revision keeps it.
  handler=$(grep -rl 'pub async fn add_note' server/src)
  line=$(grep -n 'pub async fn add_note' "$handler" | cut -d: -f1)
  handler_s=$(median_of_3 "$handler" "$line" "${build[@]}")
  first_tests=$(seconds "${tests[@]}")
  line=$(grep -n 'fn store_job' "$backend" | head -1 | cut -d: -f1)
  backend_s=$(median_of_3 "$backend" "$line" "${tests[@]}")
  popd >/dev/null
  printf '| %s | %.0f | %.1f | %.1f | %.1f |\n' "$(git rev-parse --short "$rev")" \
    "$clean" "$handler_s" "$first_tests" "$backend_s"
  git worktree remove --force "$work/tree"
  rm -rf "$work"
done
