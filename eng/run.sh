#!/usr/bin/env bash
# The run command (README): prerequisites, then the AppHost with its dashboard at http://localhost:15080.
# The login token for the dashboard is printed in the log line "Login to the dashboard at ...".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/eng/prereqs.sh"
exec dotnet run --project "$ROOT/src/Peregrine.AppHost" --launch-profile http "$@"
