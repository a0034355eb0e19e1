#!/usr/bin/env bash
# Build times of the office server at one or more revisions (issue 18): a clean
# `cargo build -p fieldwork-server` into an empty target directory, then three incremental
# rebuilds, each after a one-line change inside one handler (`add_note`, the dispatch note
# route), reporting the median. Each revision is checked out in a temporary worktree, so the
# working tree and its target directory are left alone.
#   bash scripts/build-times.sh 4ce3791 HEAD
set -euo pipefail
cd "$(dirname "$0")/.."
revs=("${@:-HEAD}")
printf '| revision | clean build (s) | incremental after one handler, median of 3 (s) |\n| --- | --- | --- |\n'
for rev in "${revs[@]}"; do
  work=$(mktemp -d /tmp/fieldwork-build.XXXXXX)
  git worktree add -q --detach "$work/tree" "$rev"
  target="$work/target"
  start=$(date +%s.%N)
  (cd "$work/tree" && cargo build -q -p fieldwork-server --target-dir "$target")
  clean=$(echo "$(date +%s.%N) - $start" | bc)
  # The handler that adds a dispatcher's note, wherever the revision keeps it.
  file=$(cd "$work/tree" && grep -rl 'pub async fn add_note' server/src)
  line=$(cd "$work/tree" && grep -n 'pub async fn add_note' "$file" | cut -d: -f1)
  times=()
  for i in 1 2 3; do
    (cd "$work/tree" && sed -i "$((line - 1))a // build-times touch $i" "$file")
    start=$(date +%s.%N)
    (cd "$work/tree" && cargo build -q -p fieldwork-server --target-dir "$target")
    times+=("$(echo "$(date +%s.%N) - $start" | bc)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 2p)
  printf '| %s | %.0f | %.1f |\n' "$(git rev-parse --short "$rev")" "$clean" "$median"
  git worktree remove --force "$work/tree"
  rm -rf "$work"
done
