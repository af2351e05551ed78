#!/usr/bin/env bash
# The shard benchmark (docs/scaling-out.md, "Measured"): Release Api processes as shards on loopback, on a throwaway
# Postgres (one database per cluster, dropped at the end), in three parts:
#   1. a forwarded request ÷ a local one (p50, p99), one at a time and 8 at once;
#   2. throughput and requests per shard CPU-second on 1 → 2 → 3 shards, clients spread over every shard;
#   3. the pause of moving a 500-job user back and forth 5 times while a client writes to them (0 writes lost).
#   ./eng/bench-shards.sh              all three (about 5 minutes on 2 cores, after the build)
#   ./eng/bench-shards.sh --part 1,3   some of them
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
exec "$ROOT/eng/bench-http.sh" --shards "$@"
