#!/usr/bin/env bash
# The run command (README): prerequisites, then the AppHost with its dashboard at http://localhost:15080.
# The login token for the dashboard is printed in the log line "Login to the dashboard at ...".
#   ./eng/run.sh --shards 3   each hosted app as 3 Api processes (shards), each with its own data root
#                             (the AppHost's Shards:Count, default 1; docs/scaling-out.md)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
arguments=()
configuration=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --shards) [[ $# -ge 2 ]] || { echo "run: --shards needs a number (1 to 16)" >&2; exit 2; }
              configuration+=("Shards:Count=$2"); shift 2 ;;
    --shards=*) configuration+=("Shards:Count=${1#--shards=}"); shift ;;
    *) arguments+=("$1"); shift ;;
  esac
done
# Configuration goes to the AppHost after `--` (dotnet run's own options come before it); add one unless given.
if [[ ${#configuration[@]} -gt 0 ]]; then
  [[ " ${arguments[*]-} " == *" -- "* ]] || arguments+=("--")
  arguments+=("${configuration[@]}")
fi
"$ROOT/eng/prereqs.sh"
exec dotnet run --project "$ROOT/src/Peregrine.AppHost" --launch-profile http ${arguments[@]+"${arguments[@]}"}
