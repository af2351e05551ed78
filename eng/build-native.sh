#!/usr/bin/env bash
# Builds the per-user DB encryption engine: SQLite 3.53.2 + SQLite3MultipleCiphers, whose
# default cipher scheme is SQLCipher v4 (see DESIGN.md, decision 1). NuGet serves no SQLCipher
# bundle and Debian 12's libsqlcipher is SQLite 3.15.2, so we compile the amalgamation shipped
# inside the npm package better-sqlite3-multiple-ciphers. Idempotent: a stamp file records the
# package version and compiler flags, and nothing is rebuilt while it matches.
# One change to the amalgamation: SHA-512's compression function is OpenSSL's (libcrypto, which .NET itself needs).
# SQLCipher checks an HMAC-SHA-512 over every page it reads, and the package's portable C SHA-512 was a quarter of
# the CPU of a request whose DB had left the pool; OpenSSL's is about twice as fast. The format is unchanged
# (EncryptionEngineTests recomputes every page's HMAC with .NET's crypto).
set -euo pipefail

PACKAGE="better-sqlite3-multiple-ciphers@12.11.1"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT_DIR="${PEREGRINE_NATIVE_DIR:-$ROOT/native}"
LIB="$OUT_DIR/libsqlite3mc.so"
# SQLITE3MC_USE_SQLCIPHER_LEGACY + CODEC_TYPE_SQLCIPHER make a plain `PRAGMA key` write SQLCipher 4 files.
CFLAGS=(-shared -fPIC -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_DEFAULT_FOREIGN_KEYS=1 -DSQLITE_ENABLE_FTS5
        -DSQLITE_TEMP_STORE=2 -DCODEC_TYPE=CODEC_TYPE_SQLCIPHER -DSQLITE3MC_USE_SQLCIPHER_LEGACY
        # SHA512_Transform is OpenSSL 1.1's API, still exported by libcrypto 3; the package's own SHA-512 stays unused.
        -DOPENSSL_API_COMPAT=0x10100000L -Wno-unused-function)
LIBS=(-lpthread -ldl -lm -lcrypto)
STAMP="$PACKAGE ${CFLAGS[*]} ${LIBS[*]} sha512=openssl"

if [[ -f "$LIB" && -f "$LIB.stamp" && "$(cat "$LIB.stamp")" == "$STAMP" ]]; then
  echo "native engine up to date: $LIB"
  exit 0
fi

for tool in npm gcc tar sed; do
  command -v "$tool" >/dev/null || { echo "build-native: '$tool' is required (apt-get install -y nodejs npm gcc)" >&2; exit 1; }
done
[ -f /usr/include/openssl/sha.h ] || { echo "build-native: OpenSSL's headers are required (apt-get install -y libssl-dev)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
echo "fetching $PACKAGE ..."
(cd "$WORK" && npm pack --silent "$PACKAGE" >/dev/null)
tar -xzf "$WORK"/*.tgz -C "$WORK" package/deps/sqlite3
AMALGAMATION="$WORK/package/deps/sqlite3/sqlite3.c"
# The package's sha512_transf is renamed out of the way, and OpenSSL's block function takes its name, right after
# the context type it works on. Both edits are checked: a new package version that moved either fails here.
cat > "$WORK/sha512-openssl.c" <<'C'
#include <openssl/sha.h>
/* SHA-512's compression function over block_nb 128-byte blocks, by OpenSSL; the state words are the same. */
static void sha512_transf(sha512_ctx *ctx, const unsigned char *message, unsigned int block_nb)
{
    SHA512_CTX state;
    unsigned int i;
    memcpy(state.h, ctx->h, sizeof state.h);
    for (i = 0; i < block_nb; i++) SHA512_Transform(&state, message + ((size_t) i << 7));
    memcpy(ctx->h, state.h, sizeof state.h);
}
C
# (The amalgamation's lines end in CR LF.)
sed -i -e 's/^void sha512_transf(\(sha512_ctx \*ctx, const unsigned char \*message,\r\?\)$/void sha512_transf_portable(\1/' \
       -e "/^} sha512_ctx;\r\?\$/r $WORK/sha512-openssl.c" "$AMALGAMATION"
[ "$(grep -c '^void sha512_transf_portable(' "$AMALGAMATION")" = 1 ] && [ "$(grep -c 'SHA512_Transform(&state' "$AMALGAMATION")" = 1 ] \
  || { echo "build-native: the amalgamation's SHA-512 is not where this script expects it ($PACKAGE)" >&2; exit 1; }
echo "compiling the engine with gcc (about 55 s on 2 cores) ..."
mkdir -p "$OUT_DIR"
gcc "${CFLAGS[@]}" "$AMALGAMATION" -o "$WORK/libsqlite3mc.so" "${LIBS[@]}"
mv "$WORK/libsqlite3mc.so" "$LIB"
printf '%s' "$STAMP" > "$LIB.stamp"
echo "built $LIB"
