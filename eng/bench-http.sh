#!/usr/bin/env bash
# The HTTP benchmark (README, Benchmarks): Release builds of the Api in cloud mode (with a throwaway Postgres as its
# platform DB) and in local plaintext mode, the committed Caddy bastion, and wrk. Prints one table of ratios.
#   ./eng/bench-http.sh           full run (about 8 minutes on 2 cores)
#   ./eng/bench-http.sh --quick   shorter wrk runs and 2,000 new users instead of 10,000 (about 3 minutes)
#   ./eng/bench-http.sh --pages-only   (e) alone: each page's server time as a multiple of /api/session
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/eng/prereqs.sh"
if ! command -v wrk >/dev/null; then
  echo "installing: wrk"
  SUDO=(); [ "$(id -u)" = 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

dotnet build bench/Peregrine.HttpBench -c Release --verbosity quiet -nologo

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
  dotnet bench/Peregrine.HttpBench/bin/Release/net10.0/Peregrine.HttpBench.dll "$@"
