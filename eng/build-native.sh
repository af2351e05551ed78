#!/usr/bin/env bash
# Builds the per-user DB encryption engine: SQLite 3.53.2 + SQLite3MultipleCiphers, whose
# default cipher scheme is SQLCipher v4 (see DESIGN.md, decision 1). NuGet serves no SQLCipher
# bundle and Debian 12's libsqlcipher is SQLite 3.15.2, so we compile the amalgamation shipped
# inside the npm package better-sqlite3-multiple-ciphers. Idempotent: a stamp file records the
# package version and compiler flags, and nothing is rebuilt while it matches.
set -euo pipefail

PACKAGE="better-sqlite3-multiple-ciphers@12.11.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="${PEREGRINE_NATIVE_DIR:-$ROOT/native}"
LIB="$OUT_DIR/libsqlite3mc.so"
# SQLITE3MC_USE_SQLCIPHER_LEGACY + CODEC_TYPE_SQLCIPHER make a plain `PRAGMA key` write SQLCipher 4 files.
CFLAGS=(-shared -fPIC -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLITE_ENABLE_FTS5
        -DSQLITE_TEMP_STORE=2 -DCODEC_TYPE=CODEC_TYPE_SQLCIPHER -DSQLITE3MC_USE_SQLCIPHER_LEGACY)
STAMP="$PACKAGE ${CFLAGS[*]}"

if [[ -f "$LIB" && -f "$LIB.stamp" && "$(cat "$LIB.stamp")" == "$STAMP" ]]; then
  echo "native engine up to date: $LIB"
  exit 0
fi

for tool in npm gcc tar; do
  command -v "$tool" >/dev/null || { echo "build-native: '$tool' is required (apt-get install -y nodejs npm gcc)" >&2; exit 1; }
done

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetching $PACKAGE ..."
(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$WORK"/*.tgz -C "$WORK" package/deps/sqlite3
echo "compiling the engine with gcc (about 40 s on 2 cores) ..."
mkdir -p "$OUT_DIR"
gcc "${CFLAGS[@]}" "$WORK/package/deps/sqlite3/sqlite3.c" -o "$WORK/libsqlite3mc.so" -lpthread -ldl -lm
mv "$WORK/libsqlite3mc.so" "$LIB"
printf '%s' "$STAMP" > "$LIB.stamp"
echo "built $LIB"
