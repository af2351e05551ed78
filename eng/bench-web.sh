#!/usr/bin/env bash
# Server time of the browser pages against the JSON endpoints they share services with: the built Api in local mode
# (no session, a plain DB with 50 jobs) on a loopback port, wrk per URL, p50 and requests/s. Ratios, not absolutes:
# run it on a quiet machine. Usage: eng/bench-web.sh [Debug|Release]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONFIG="${1:-Release}"
dotnet build "$ROOT/src/Peregrine.Api" -c "$CONFIG" -v q -nologo >/dev/null
WORK="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT/peregrine"
ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="http://127.0.0.1:$PORT" STAGING_DB="$WORK/staging.db" Logging__LogLevel__Default=Warning \
  dotnet "$ROOT/src/Peregrine.Api/bin/$CONFIG/net10.0/Peregrine.Api.dll" >"$WORK/api.log" 2>&1 &
API=$!
trap 'kill $API; rm -rf "$WORK"' EXIT
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/alive" >/dev/null && break; sleep 0.2; done
for i in $(seq 1 50); do
  curl -fs -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"title\":\"Job $i\",\"company\":\"Co $i\",\"url\":\"https://jobs.example/$i\",\"description\":\"About job $i.\"}" "$BASE/api/jobs"
done
for path in /review /settings/profile /settings/search "/api/jobs?status=pending&limit=1" /api/settings/profile; do
  wrk -t1 -c2 -d10s --latency "$BASE$path" | awk -v p="$path" '/ 50%/ {p50=$2} /Requests\/sec/ {rps=$2} END {printf "%-36s p50 %-10s %s req/s\n", p, p50, rps}'
done
