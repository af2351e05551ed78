#!/usr/bin/env bash
# The one regenerate command: runs the AppHost in publish mode into a temp folder and copies what an operator deploys
# into the repository — compose.cloud.yml, compose.demo.yml, .env.example and deploy/<bastion>/ (Caddyfile + routes).
# It never writes .env. Extra arguments go to the AppHost's configuration (e.g. Apps:1=falcon to preview).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPHOST="$ROOT/src/Peregrine.AppHost"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

dotnet build "$APPHOST" --verbosity quiet -nologo
# The AppHost reads appsettings.json from its project folder, as `dotnet run` does.
(cd "$APPHOST" && dotnet bin/Debug/net10.0/Peregrine.AppHost.dll --operation publish --step publish --output-path "$OUT" "$@" >/dev/null)

rm -f "$OUT/aspire-manifest.json"
(cd "$OUT" && find . -type f ! -name .env | sort) | while read -r file; do
  mkdir -p "$ROOT/$(dirname "$file")"
  cp "$OUT/$file" "$ROOT/$file"
  echo "wrote ${file#./}"
done
