#!/usr/bin/env bash
# A private PostgreSQL cluster for the office server's PostgreSQL backend: its tests, its
# benchmarks, or trying it by hand. Installs Debian's PostgreSQL if it is missing.
#
#   scripts/postgres.sh start [DIR] [PORT]   start a cluster in DIR (default: a new temp dir) on
#                                            127.0.0.1:PORT (default: a free port); prints the
#                                            database URL on stdout, nothing else
#   scripts/postgres.sh stop DIR             stop it (the files stay; rm -rf DIR to drop them)
#   scripts/postgres.sh url DIR              the URL of a running cluster
#
# The cluster listens on loopback only, trusts local connections (it is a throwaway for one
# user on one machine) and has one database, `fieldwork`, owned by the role `fieldwork`.
set -euo pipefail

log() { echo "postgres.sh: $*" >&2; }

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
    if [[ -z "$dir" || ! -x "$dir/initdb" ]]; then
        log "installing PostgreSQL (Debian package postgresql)"
        local sudo=""
        [[ $(id -u) -ne 0 ]] && sudo="sudo"
        $sudo apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >&2
        dir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    fi
    echo "$dir"
}

# PostgreSQL refuses to run as root: run its tools as the `postgres` user the package made.
as_owner() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

cmd=${1:-}
case "$cmd" in
start)
    bin=$(pg_bin)
    dir=${2:-$(mktemp -d /tmp/fieldwork-pg.XXXXXX)}
    port=${3:-$(free_port)}
    mkdir -p "$dir"
    [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
    chmod 700 "$dir"
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
        as_owner "$bin/initdb" -D "$dir/data" -U fieldwork -A trust -E UTF8 --locale=C.UTF-8 \
            >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    # Sockets in the cluster's own directory; TCP on loopback only. fsync stays on: the tests
    # kill servers and expect acknowledged writes to survive.
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=200 -c shared_buffers=128MB" \
        start >&2 || { tail -20 "$dir/server.log" >&2; exit 1; }
    echo "$port" >"$dir/port"
    if ! as_owner "$bin/psql" -h 127.0.0.1 -p "$port" -U fieldwork -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'fieldwork'" | grep -q 1; then
        as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U fieldwork fieldwork
    fi
    log "cluster in $dir on 127.0.0.1:$port (stop: scripts/postgres.sh stop $dir)"
    echo "postgres://fieldwork@127.0.0.1:$port/fieldwork"
    ;;
stop)
    dir=${2:?usage: postgres.sh stop DIR}
    bin=$(pg_bin)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >&2
    fi
    ;;
url)
    dir=${2:?usage: postgres.sh url DIR}
    echo "postgres://fieldwork@127.0.0.1:$(cat "$dir/port")/fieldwork"
    ;;
*)
    sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
