#!/usr/bin/env bash
# The test command (README, CI): prerequisites, format check, build, every test layer; ends with "N passed, N failed".
#   ./eng/test.sh           everything: unit, service (real SQLCipher files, real Postgres), distributed (whole AppHost),
#                           then deploy (the images and both compose stacks on a real Docker engine)
#   ./eng/test.sh --unit    the fast unit layer only (seconds), with a whitespace-only format check
#   ./eng/test.sh --deploy  the deploy layer only: images built and both stacks run with the runbook's commands
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# The deploy layer runs after the others, alone: its image builds would otherwise load the machine under their timeouts.
layers=("Category!=Deploy" "Category=Deploy")
if [ "${1:-}" = "--unit" ]; then layers=("Category=Unit"); fi
if [ "${1:-}" = "--deploy" ]; then layers=("Category=Deploy"); fi

if [ "${1:-}" = "--unit" ]; then ./eng/prereqs.sh; else ./eng/prereqs.sh --deploy; fi
dotnet restore Peregrine.sln --verbosity quiet
if [ "${1:-}" != "--unit" ]; then
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
for layer in "${layers[@]}"; do
  CI=true dotnet test Peregrine.sln --no-build --filter "$layer" --logger "console;verbosity=normal" </dev/null 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
set -e

# VSTest's own summary is not a line CI reads; sum its per-assembly totals into the plain form.
passed=$({ grep -oE '^ +Passed: +[0-9]+' "$log" || true; } | awk '{s+=$2} END {print s+0}')
failed=$({ grep -oE '^ +Failed: +[0-9]+' "$log" || true; } | awk '{s+=$2} END {print s+0}')
echo "${passed:-0} passed, ${failed:-0} failed"
if [ "${passed:-0}" -eq 0 ]; then echo "no test ran" >&2; exit 1; fi
exit "$status"
