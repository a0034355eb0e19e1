#!/usr/bin/env bash
# The office's layers, as the compiler sees them (docs/adr/0013-the-office-in-layers.md):
# the rules and the storage traits know no HTTP and no database driver, the backends know no
# HTTP, and nothing on the phone links the office's rules. Fails naming the crate and the
# dependency that crossed a layer.
set -euo pipefail
cd "$(dirname "$0")/.."

forbid() { # crate, then the crates it must not depend on (normal and build dependencies)
  local crate=$1; shift
  local tree
  tree=$(cargo tree -q -p "$crate" -e normal,build --prefix none --format '{p}' | awk '{print $1}' | sort -u)
  for dep in "$@"; do
    if grep -qx "$dep" <<<"$tree"; then
      # The server reaches a database only through the store's traits: no driver among its own
# dependencies (the backends bring theirs).
direct=$(cargo tree -q -p fieldwork-server -e normal --depth 1 --prefix none --format '{p}' | awk '{print $1}')
for driver in rusqlite tokio-postgres deadpool-postgres; do
  if grep -qx "$driver" <<<"$direct"; then
    echo "check-layers: fieldwork-server depends on $driver directly; use fieldwork-store's traits" >&2
    exit 1
  fi
done
echo "check-layers: $crate depends on $dep (cargo tree -p $crate -i $dep shows the path)" >&2
      exit 1
    fi
  done
}

web=(axum hyper tower tower-http askama lettre tokio-rustls)
forbid fieldwork-office "${web[@]}" rusqlite tokio-postgres fieldwork-store
forbid fieldwork-store "${web[@]}" rusqlite tokio-postgres deadpool-postgres
forbid fieldwork-store-sqlite "${web[@]}" tokio-postgres deadpool-postgres fieldwork-server
forbid fieldwork-store-postgres "${web[@]}" rusqlite fieldwork-server
forbid fieldwork-core fieldwork-office fieldwork-store fieldwork-server
forbid fieldwork-ffi fieldwork-office fieldwork-store fieldwork-server
# The server reaches a database only through the store's traits: no driver among its own
# dependencies (the backends bring theirs).
direct=$(cargo tree -q -p fieldwork-server -e normal --depth 1 --prefix none --format '{p}' | awk '{print $1}')
for driver in rusqlite tokio-postgres deadpool-postgres; do
  if grep -qx "$driver" <<<"$direct"; then
    echo "check-layers: fieldwork-server depends on $driver directly; use fieldwork-store's traits" >&2
    exit 1
  fi
done
echo "check-layers: office <- store <- backends <- server holds; the phone links no office rules"
