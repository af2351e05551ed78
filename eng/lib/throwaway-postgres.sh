# Sourced by the benchmarks that need a platform DB: a throwaway Debian Postgres 15 on a free loopback port, stopped and
# removed when the calling script exits. Sets PLATFORM_DB_URL for what the script runs next.
PG_BIN=/usr/lib/postgresql/15/bin
PG_DIR="$(mktemp -d /tmp/peregrine-bench-pg-XXXXXX)"
PG_PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
AS_PG=(); if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PG_DIR"; AS_PG=(runuser -u postgres --); fi
stop_throwaway_postgres() {
  "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap stop_throwaway_postgres EXIT
"${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --no-locale >/dev/null
"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR" start >/dev/null
"${AS_PG[@]}" "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres peregrine_platform
export PLATFORM_DB_URL="postgresql://postgres@127.0.0.1:$PG_PORT/peregrine_platform"
