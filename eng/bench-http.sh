#!/usr/bin/env bash
# The HTTP benchmark (README, Benchmarks): Release builds of the Api in cloud mode (with a throwaway Postgres as its
# platform DB) and in local plaintext mode, the committed Caddy bastion, and wrk. Prints one table of ratios.
#   ./eng/bench-http.sh           full run (about 8 minutes on 2 cores)
#   ./eng/bench-http.sh --quick   shorter wrk runs and 2,000 new users instead of 10,000 (about 3 minutes)
#   ./eng/bench-http.sh --pages-only   (e) alone: each page's server time as a multiple of /api/session
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/eng/prereqs.sh"
if ! command -v wrk >/dev/null; then
  echo "installing: wrk"
  SUDO=(); [ "$(id -u)" = 0 ] || SUDO=(sudo)
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends wrk >/dev/null
fi

dotnet build bench/Peregrine.HttpBench -c Release --verbosity quiet -nologo

source "$ROOT/eng/lib/throwaway-postgres.sh"
dotnet bench/Peregrine.HttpBench/bin/Release/net10.0/Peregrine.HttpBench.dll "$@"
