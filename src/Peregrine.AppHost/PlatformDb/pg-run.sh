#!/usr/bin/env bash
# Dev/test Postgres 15 from Debian's binaries, run by the AppHost as an executable resource (no Docker engine here).
# Arg: DATA_DIR. Port from $PGPORT (allocated by Aspire). Postgres refuses to run as root, so drop to `postgres`;
# setpriv execs without forking, so DCP tracks (and stops) the real server process.
set -euo pipefail
DATA="$1"
BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
[ -x "$BIN/postgres" ] || { echo "pg-run: $BIN/postgres not found; install it with: apt-get install -y postgresql-15" >&2; exit 1; }
RUNAS=()
mkdir -p "$DATA"
chmod 700 "$DATA"
if [ "$(id -u)" = 0 ]; then
  chown postgres:postgres "$DATA"
  RUNAS=(setpriv --reuid=postgres --regid=postgres --init-groups)
  "${RUNAS[@]}" test -x "$DATA" || { echo "pg-run: user postgres cannot reach $DATA (a parent folder is not traversable)" >&2; exit 1; }
fi
if [ ! -s "$DATA/PG_VERSION" ]; then
  PWFILE="$(mktemp)"; printf '%s' "$PG_PASSWORD" > "$PWFILE"; chmod 644 "$PWFILE"
  "${RUNAS[@]}" "$BIN/initdb" -D "$DATA" -U postgres --pwfile="$PWFILE" --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --no-locale >/dev/null
  rm -f "$PWFILE"
  echo "CREATE DATABASE \"${PG_DATABASE}\";" | "${RUNAS[@]}" "$BIN/postgres" --single -D "$DATA" postgres >/dev/null
fi
exec "${RUNAS[@]}" "$BIN/postgres" -D "$DATA" -k "$DATA" -h 127.0.0.1 -p "$PGPORT" -c fsync=off -c full_page_writes=off
