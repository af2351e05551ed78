#!/usr/bin/env bash
# The disaster-recovery benchmark (docs/disaster-recovery.md): backup-all and restore-all's own code on an instance of
# realistic users (default 1,000 users x 500 jobs), a throwaway Postgres 15 as the platform DB, Debian's restic.
# Prints one table of ratios to `cp -a` of the data root in the same run, and the load average.
#   ./eng/bench-dr.sh [users] [jobs]
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/eng/prereqs.sh"
dotnet build bench/Peregrine.Bench -c Release --verbosity quiet -nologo

PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$(mktemp -d /tmp/peregrine-bench-pg-XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
AS_PG=(); if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; AS_PG=(runuser -u postgres --); fi
cleanup() {
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR" start >/dev/null
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres peregrine_platform

PLATFORM_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/peregrine_platform" \
  dotnet bench/Peregrine.Bench/bin/Release/net10.0/Peregrine.Bench.dll disaster-recovery "$@"
