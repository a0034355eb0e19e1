#!/usr/bin/env bash
# Property-based testing of the office API from its own description (issue 22): the real
# server on 127.0.0.1 with demo data, its `GET /api/v1/openapi.json` checked by
# openapi-spec-validator, then Schemathesis generating requests from it, once with a
# dispatcher token (every dispatch route) and once with an enrolled device's token (the device
# routes). Checks: no 5xx, every status, content type, header and body as described, and
# nothing stored from a refused request (tests/api/schemathesis_hooks.py).
#
# Usage: scripts/api-properties.sh [EXAMPLES_PER_OPERATION] [extra schemathesis args]
# The test command runs a short pass with a fixed seed (scripts/test.sh); a long run:
#   bash scripts/api-properties.sh 1000
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-25}
shift || true
cargo build -q -p fieldwork-server
dir=$(mktemp -d /tmp/fieldwork-api.XXXXXX)
port=$(.venv/bin/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
# No rate limit: the generator sends thousands of requests a minute.
target/debug/fieldwork-server serve --data "$dir/data" --listen "127.0.0.1:$port" --demo \
  --requests-per-second 0 >"$dir/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 100); do
  grep -q "^listening on" "$dir/server.log" && break
  sleep 0.2
done
token=$(awk '/^dispatcher token:/ {print $3}' "$dir/server.log")
code=$(awk '/^enrollment code for technician/ {print $NF; exit}' "$dir/server.log")
[ -n "$token" ] && [ -n "$code" ] || { cat "$dir/server.log" >&2; exit 1; }

curl -sf "$base/api/v1/openapi.json" -o "$dir/openapi.json"
.venv/bin/openapi-spec-validator "$dir/openapi.json"
device=$(.venv/bin/python tests/api/enroll.py "$base" "$code")

checks=not_a_server_error,status_code_conformance,content_type_conformance
checks=$checks,response_schema_conformance,response_headers_conformance,nothing_stored_when_refused
run() {
  PYTHONPATH=tests/api SCHEMATHESIS_HOOKS=schemathesis_hooks FIELDWORK_API_DB="$dir/data/server.db" \
    .venv/bin/schemathesis run "$base/api/v1/openapi.json" --checks "$checks" \
    --max-examples "$examples" --workers 1 --generation-with-security-parameters false \
    --generation-database none --no-color "$@"
}
echo "api-properties: dispatch routes, $examples examples per operation"
# Registering or changing a webhook resolves its host name: the generated names would go to DNS.
run -H "Authorization: Bearer $token" --exclude-tag device --exclude-name "POST /api/v1/webhooks" \
  --exclude-name "PATCH /api/v1/webhooks/{id}" "$@"
echo "api-properties: device routes"
run -H "Authorization: Bearer $device" --include-tag device "$@"
