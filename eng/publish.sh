#!/usr/bin/env bash
# The one regenerate command: runs the AppHost in publish mode into a temp folder and copies what an operator deploys
# into the repository — compose.cloud.yml, compose.demo.yml, .env.example and deploy/<bastion>/ (Caddyfile + routes).
# It never writes .env. Extra arguments go to the AppHost's configuration (e.g. Apps:1=falcon to preview).
#   ./eng/publish.sh --shards 3   each hosted app as 3 Api processes (shards) with their own data roots
#                                 (the AppHost's Shards:Count; 1, the default, is the committed single-host files)
# Works from a clean clone (the build restores; the native engine is not needed to publish) and is idempotent.
set -euo pipefail
configuration=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shards) [[ $# -ge 2 ]] || { echo "publish: --shards needs a number (1 to 16)" >&2; exit 2; }
              configuration+=("Shards:Count=$2"); shift 2 ;;
    --shards=*) configuration+=("Shards:Count=${1#--shards=}"); shift ;;
    *) configuration+=("$1"); shift ;;
  esac
done
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
APPHOST="$ROOT/src/Peregrine.AppHost/Peregrine.AppHost.csproj"
# Debug by default, like `dotnet build Peregrine.sln` and the tests, so an existing build is reused; MSBuild itself
# would read CONFIGURATION from the environment, so honouring it here keeps the build and the run the same one.
CONFIGURATION="${CONFIGURATION:-Debug}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

dotnet build "$APPHOST" --configuration "$CONFIGURATION" --verbosity quiet -nologo
# Run exactly the assembly that build produced: MSBuild says where it is, no output path is assumed.
ASSEMBLY="$(dotnet msbuild "$APPHOST" -nologo -property:Configuration="$CONFIGURATION" -getProperty:TargetPath)"
[[ -f "$ASSEMBLY" ]] || { echo "publish: the build did not produce $ASSEMBLY" >&2; exit 1; }
# The AppHost reads appsettings.json from its project folder, as `dotnet run` does.
(cd "$(dirname "$APPHOST")" && dotnet "$ASSEMBLY" --operation publish --step publish --output-path "$OUT" ${configuration[@]+"${configuration[@]}"} >/dev/null)

rm -f "$OUT/aspire-manifest.json"
(cd "$OUT" && find . -type f ! -name .env | sort) | while read -r file; do
  mkdir -p "$ROOT/$(dirname "$file")"
  cp "$OUT/$file" "$ROOT/$file"
  echo "wrote ${file#./}"
done
