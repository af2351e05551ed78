#!/usr/bin/env bash
# The test command (README, CI): prerequisites, format check, build, every test layer; ends with "N passed, N failed".
#   ./eng/test.sh                everything: unit, service, browser and distributed
#   ./eng/test.sh --unit         the fast unit layer only (seconds), with a whitespace-only format check
#   ./eng/test.sh --service      WebApplicationFactory or real processes, real SQLCipher files, real Postgres
#   ./eng/test.sh --browser      the pages in headless Chromium, against the whole AppHost
#   ./eng/test.sh --distributed  the whole AppHost (Postgres, api, demo, Caddy) without a browser
# A single layer gets the whitespace-only format check; the full run checks every rule.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

filter=()
case "${1:-}" in
  --unit) filter=(--filter "Category=Unit") ;;
  --service) filter=(--filter "Category=Service") ;;
  --browser) filter=(--filter "Category=Browser") ;;
  --distributed) filter=(--filter "Category=Distributed") ;;
  "") ;;
  *) echo "usage: ./eng/test.sh [--unit | --service | --browser | --distributed]" >&2; exit 2 ;;
esac

./eng/prereqs.sh
dotnet restore Peregrine.sln --verbosity quiet
if [ ${#filter[@]} -eq 0 ]; then
  # Every rule of .editorconfig (whitespace, style, analyzers) on the loaded solution: what CI checks.
  dotnet format Peregrine.sln --verify-no-changes --no-restore --verbosity quiet
else
  # The fast loop: whitespace and layout only, on the files as text (no solution load, seconds instead of a minute);
  # the build below still enforces the style rules marked as warnings (EnforceCodeStyleInBuild).
  dotnet format whitespace . --folder --verify-no-changes --exclude '**/bin/**' '**/obj/**' 'native/**' --verbosity quiet
fi
dotnet build Peregrine.sln --no-restore --verbosity quiet -nologo

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
set +e
CI=true dotnet test Peregrine.sln --no-build "${filter[@]}" --logger "console;verbosity=normal" </dev/null 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# VSTest's own summary is not a line CI reads; sum its per-assembly totals into the plain form.
passed=$({ grep -oE '^ +Passed: +[0-9]+' "$log" || true; } | awk '{s+=$2} END {print s+0}')
failed=$({ grep -oE '^ +Failed: +[0-9]+' "$log" || true; } | awk '{s+=$2} END {print s+0}')
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
exit "$status"
