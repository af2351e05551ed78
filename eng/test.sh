#!/usr/bin/env bash
# The test command (README, CI): prerequisites, format check, build, every test layer; ends with "N passed, N failed".
#   ./eng/test.sh                everything: unit, service, browser and distributed, then deploy
#   ./eng/test.sh --unit         the fast unit layer only (seconds), with a whitespace-only format check
#   ./eng/test.sh --service      WebApplicationFactory or real processes, real SQLCipher files, real Postgres
#   ./eng/test.sh --browser      the pages in headless Chromium, against the whole AppHost
#   ./eng/test.sh --distributed  the whole AppHost (Postgres, api, demo, Caddy) without a browser
#   ./eng/test.sh --deploy       the images built and both compose stacks run with the runbook's commands (Docker)
# A single layer gets the whitespace-only format check; the full run checks every rule.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The deploy layer runs after the others, alone: its image builds would otherwise load the machine under their timeouts.
runs=("Category!=Deploy" "Category=Deploy")
case "${1:-}" in
  --unit) runs=("Category=Unit") ;;
  --service) runs=("Category=Service") ;;
  --browser) runs=("Category=Browser") ;;
  --distributed) runs=("Category=Distributed") ;;
  --deploy) runs=("Category=Deploy") ;;
  "") ;;
  *) echo "usage: ./eng/test.sh [--unit | --service | --browser | --distributed | --deploy]" >&2; exit 2 ;;
esac

case "${runs[*]}" in *"Category=Deploy"*) ./eng/prereqs.sh --deploy ;; *) ./eng/prereqs.sh ;; esac
dotnet restore Peregrine.sln --verbosity quiet
if [ -z "${1:-}" ]; then
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
status=0
set +e
for run in "${runs[@]}"; do
  CI=true dotnet test Peregrine.sln --no-build --filter "$run" --logger "console;verbosity=normal" </dev/null 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
set -e

# VSTest's own summary is not a line CI reads; sum its per-assembly totals into the plain form.
passed=$({ grep -oE '^ +Passed: +[0-9]+' "$log" || true; } | awk '{s+=$2} END {print s+0}')
failed=$({ grep -oE '^ +Failed: +[0-9]+' "$log" || true; } | awk '{s+=$2} END {print s+0}')
# CI shows only the end of the output: name each failed test there, with the start of its message.
if [ "${failed:-0}" -gt 0 ]; then
  echo "Failed tests:"
  awk '/^  Failed /{n=12} n>0{print; n--}' "$log" | grep -v '^info: \|^      ' | head -n 120
fi
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
exit "$status"
