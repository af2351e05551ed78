#!/usr/bin/env bash
# Installs what the AppHost and the tests need from Debian when it is missing (a no-op on a ready machine),
# then builds the encryption engine. Used by both README commands (eng/run.sh, eng/test.sh).
#   --deploy   also what the deploy layer needs: a Docker engine, and debootstrap and curl for eng/base-images.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

missing=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || missing+=(postgresql-15)
command -v caddy >/dev/null || missing+=(caddy)
command -v sqlite3 >/dev/null || missing+=(sqlite3)
command -v docker-compose >/dev/null || missing+=(docker-compose)
command -v gcc >/dev/null || missing+=(gcc libc6-dev)
# The engine takes SHA-512 from OpenSSL (eng/build-native.sh).
[ -f /usr/include/openssl/sha.h ] || missing+=(libssl-dev)
command -v npm >/dev/null || missing+=(npm)
# Browser tests: Playwright's driver runs on the system node and drives Debian's chromium; DejaVu renders the pages' text.
command -v node >/dev/null || missing+=(nodejs)
command -v chromium >/dev/null || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
# Cover-letter PDFs: Liberation Sans is metric-compatible with Helvetica; pdftotext reads them back in the tests.
[ -f /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || missing+=(fonts-liberation2)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
# Disaster recovery: restic holds the instance snapshots; pg_dump and psql (postgresql-client-15, with postgresql-15) move the platform DB.
command -v restic >/dev/null || missing+=(restic)
command -v pg_dump >/dev/null || missing+=(postgresql-client-15)
if [ "${1:-}" = "--deploy" ]; then
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  command -v curl >/dev/null || missing+=(curl)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=(); [ "$(id -u)" = 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  # policy-rc.d keeps Debian from starting the packaged postgres/caddy services: the AppHost runs its own.
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

"$ROOT/eng/build-native.sh"
