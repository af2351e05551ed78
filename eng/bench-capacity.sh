#!/usr/bin/env bash
# The capacity benchmark (docs/capacity.md): "users per host at p99 ≤ 100 ms". Release Api in cloud mode with a
# throwaway Postgres, the committed Caddy bastion, simulated job seekers (own DB of 300 jobs, one keep-alive connection
# each, ~1.15 req/s), an increasing series of active users, direct and through the bastion.
#   ./eng/bench-capacity.sh                      full series: 200 … 3,200 users, 15 s warm-up + 60 s each (about 30 minutes)
#   ./eng/bench-capacity.sh --quick              50, 100, 200 users, 5 s + 15 s each (about 3 minutes)
#   ./eng/bench-capacity.sh --cold-warm-only     a cold request against a warm one, alone (about a minute)
#   ./eng/bench-capacity.sh --steps 400,800 --through bastion --warmup 15 --measure 60 [--pool 256]
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Thousands of keep-alive connections: the driver and the Api each need a descriptor per user.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
exec "$ROOT/eng/bench-http.sh" --capacity "$@"
