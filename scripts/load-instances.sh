#!/usr/bin/env bash
# The load generator against four offices, one after another, with the same seed and settings:
# SQLite (one instance), then PostgreSQL with one, two and three instances sharing one database
# (every request to an instance picked at random). DEVICES phones (default 1,000); extra
# arguments go to every fieldwork-load run (--concurrency N, --seed S, --no-limits, ...).
#
#   bash scripts/load-instances.sh [DEVICES] [FIELDWORK-LOAD OPTIONS]
#
# Builds the release server and generator once, starts a private PostgreSQL cluster
# (scripts/postgres.sh) in a temp directory, removed on exit, and gives each PostgreSQL run a
# new database on it. Each run's own report is printed as it finishes, with the command line and
# the load average before it; at the end one Markdown table compares the four, built from the
# runs' JSON lines (kept in target/load/). Exits non-zero if any run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
devices="${1:-1000}"
shift || true

cargo build --release -p fieldwork-server -p fieldwork-tests --bin fieldwork-server --bin fieldwork-load

out="target/load/instances-${devices}-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
# Its own temp directory: postgres.sh hands it to the postgres user (as root) and locks it down.
pg_dir=$(mktemp -d /tmp/fieldwork-load-pg.XXXXXX)
cleanup() {
    bash scripts/postgres.sh stop "$pg_dir" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cluster=$(bash scripts/postgres.sh start "$pg_dir")

# name|arguments of fieldwork-load beyond the shared ones
setups=(
    "sqlite|"
    "pg1|--database $cluster --instances 1"
    "pg2|--database $cluster --instances 2"
    "pg3|--database $cluster --instances 3"
)
status=0
for setup in "${setups[@]}"; do
    name=${setup%%|*}
    read -r -a extra <<<"${setup#*|}"
    cmd=(target/release/fieldwork-load "$devices" --json "$out/$name.jsonl" "${extra[@]}" "$@")
    echo
    echo "## $name"
    echo
    echo "command: ${cmd[*]}"
    echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
    run_status=0
    "${cmd[@]}" || run_status=$?
    echo "exit status $run_status; load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$run_status" >"$out/$name.status"
    [[ $run_status -eq 0 ]] || status=1
done

echo
echo "## Summary: $devices phones, four offices"
echo
python3 - "$out" <<'EOF'
import json, os, sys

out = sys.argv[1]
names = [("sqlite", "SQLite, 1 instance"), ("pg1", "PostgreSQL, 1 instance"),
         ("pg2", "PostgreSQL, 2 instances"), ("pg3", "PostgreSQL, 3 instances")]


def ms(v):
    return f"{v:.2f}" if v < 10 else f"{v:.0f}"


def per_phase(phases, key):
    """Per cent of one core over each measured phase's wall time: down / up / steady."""
    return " / ".join(f"{100 * phases[p][key] / phases[p]['wall_s']:.0f}%"
                      for p in ("down", "up", "steady"))


print("| setup | doc-syncs/s down | doc-syncs/s up | sync p99 down / up | peak RSS per instance "
      "| server CPU (down / up / steady) | PostgreSQL CPU (down / up / steady) | checks |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for name, label in names:
    path = os.path.join(out, f"{name}.jsonl")
    try:
        code = open(os.path.join(out, f"{name}.status")).read().strip()
    except OSError:
        code = "?"
    if not os.path.exists(path):
        print(f"| {label} | - | - | - | - | - | - | run failed (exit {code}), no JSON |")
        continue
    rows = [json.loads(line) for line in open(path) if line.strip()]
    phases = {r["phase"]: r for r in rows}
    s, down, up = phases["summary"], phases["down"], phases["up"]
    rss = " / ".join(f"{k / 1024:.0f}" for k in s["server_peak_rss_kib_per_instance"])
    pg = per_phase(phases, "postgres_cpu_s") if s["database"] == "postgres" else "-"
    problems = []
    if s["check_problems"]:
        problems.append(f"{s['check_problems']} check problems")
    if s["failures"]:
        problems.append(f"{s['failures']} failed requests ({s['server_errors']} 5xx or transport)")
    if code != "0":
        problems.append(f"exit {code}")
    print(f"| {label} | {down['docs_down_per_s']:,.0f} | {up['docs_up_per_s']:,.0f} "
          f"| {ms(down['sync_p99_ms'])} / {ms(up['sync_p99_ms'])} ms | {rss} MiB "
          f"| {per_phase(phases, 'server_cpu_s')} | {pg} "
          f"| {'; '.join(problems) if problems else 'all passed'} |")
print()
print("CPU is per cent of one core over each phase's wall time (2 cores = 200%), server summed "
      "over its instances; PostgreSQL is the private cluster's processes. Other processes' CPU "
      "and every detail: each run's own table above.")
print(f"JSON lines: {out}/")
EOF
exit "$status"
