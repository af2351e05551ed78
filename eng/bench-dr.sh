#!/usr/bin/env bash
# The disaster-recovery benchmark (docs/disaster-recovery.md): backup-all and restore-all's own code on an instance of
# realistic users (default 1,000 users x 500 jobs), a throwaway Postgres 15 as the platform DB, Debian's restic.
# Prints one table of ratios to `cp -a` of the data root in the same run, and the load average.
#   ./eng/bench-dr.sh [users] [jobs]
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

"$ROOT/eng/prereqs.sh"
dotnet build bench/Peregrine.Bench -c Release --verbosity quiet -nologo

source "$ROOT/eng/lib/throwaway-postgres.sh"
dotnet bench/Peregrine.Bench/bin/Release/net10.0/Peregrine.Bench.dll disaster-recovery "$@"
