#!/usr/bin/env bash
# The deployment's numbers (docs/deployment.md, "Measured"): the images built and the cloud stack run with the
# runbook's own commands in a scratch operator folder (its own .env and data root), then
#   - image build time (cold with --cold: no base images, no build cache, no debootstrap tarball) and image sizes;
#   - time from `up -d` to every service healthy;
#   - a new user's first request through the bastion (creates the tree and the encrypted DB);
#   - one load run through the bastion: 100 connections for 60 s, 100 users, 4 reads (job list) to 1 write (new job).
# Not part of ./eng/test.sh: timings belong to benchmarks, not to CI. Holds the deploy layer's lock (the runbook's
# project name exists once per engine), and stops the engine at the end if it started one.
#   ./eng/bench-deploy.sh [--cold] [--duration 60s] [--connections 100]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
COLD=0 DURATION=60s CONNECTIONS=100 USERS=100
while [ $# -gt 0 ]; do
  case "$1" in
    --cold) COLD=1 ;;
    --duration) DURATION="$2"; shift ;;
    --connections) CONNECTIONS="$2"; shift ;;
    *) echo "usage: $0 [--cold] [--duration 60s] [--connections 100]" >&2; exit 2 ;;
  esac
  shift
done

"$ROOT/eng/prereqs.sh" --deploy
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null

exec 9>/tmp/peregrine-deploy-layer.lock
flock 9
WORK="$(mktemp -d /tmp/peregrine-bench-deploy-XXXXXX)"
STARTED_ENGINE=""
COMPOSE=(docker-compose); docker compose version >/dev/null 2>&1 && COMPOSE=(docker compose)
cloud() { (cd "$WORK/checkout" && "${COMPOSE[@]}" -f compose.cloud.yml --project-name peregrine-cloud "$@"); }
cleanup() {
  cloud down -v >/dev/null 2>&1 || true
  rm -rf "$WORK"
  if [ -n "$STARTED_ENGINE" ]; then kill -TERM "$STARTED_ENGINE"; wait "$STARTED_ENGINE" 2>/dev/null || true; fi
}
trap cleanup EXIT
if ! docker info >/dev/null 2>&1; then
  dockerd >>/tmp/peregrine-dockerd.log 2>&1 &
  STARTED_ENGINE=$!
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
now() { date +%s.%N; }
since() { python3 -c "print(f'{$(now) - $1:.1f}')"; }
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

if [ "$COLD" = 1 ]; then
  # Only this project's images: the stand-ins and everything built on them carry the stand-in label (and so do the
  # build cache's intermediate images), plus the imported root file system.
  docker image rm -f $(docker images -q --filter label=org.peregrine.stand-in) peregrine-stand-in/debian-rootfs:bookworm >/dev/null 2>&1 || true
  docker image prune -f --filter label=org.peregrine.stand-in >/dev/null
  rm -rf "${PEREGRINE_IMAGE_CACHE:-/var/cache/peregrine-images}"
fi
started=$(now)
"$ROOT/eng/base-images.sh" >/dev/null
echo "base images: $(since "$started") s"

# The operator's folder: the repository's deployable files, .env from .env.example, a fresh data root.
mkdir -p "$WORK/checkout" "$WORK/data"
tar -C "$ROOT" -c --exclude=bin --exclude=obj --exclude=.state compose.cloud.yml compose.demo.yml .env.example deploy \
  Dockerfile .dockerignore Directory.Build.props Directory.Packages.props .editorconfig global.json src eng | tar -x -C "$WORK/checkout"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
JWT_SECRET="$(openssl rand -hex 32)"
sed -e "s|^CF_SERVER_SECRET=.*|CF_SERVER_SECRET=$(openssl rand -hex 32)|" -e "s|^DIRECTUS_JWT_SECRET=.*|DIRECTUS_JWT_SECRET=$JWT_SECRET|" \
  -e "s|^PLATFORM_DB_PASSWORD=.*|PLATFORM_DB_PASSWORD=$(openssl rand -hex 16)|" -e "s|^CLOUD_DATA_ROOT=.*|CLOUD_DATA_ROOT=$WORK/data|" \
  -e "s|^# BASTION_HOST_PORT=.*|BASTION_HOST_PORT=$PORT|" "$ROOT/.env.example" >"$WORK/checkout/.env"

cloud down -v >/dev/null 2>&1 || true
started=$(now)
cloud build app >/dev/null 2>&1
echo "build app (cloud): $(since "$started") s"
started=$(now)
(cd "$WORK/checkout" && "${COMPOSE[@]}" -f compose.demo.yml --project-name peregrine-demo build app >/dev/null 2>&1)
echo "build app (demo, after the cloud's): $(since "$started") s"
for image in peregrine/peregrine-api peregrine/peregrine-demo mcr.microsoft.com/dotnet/aspnet:10.0; do
  echo "image $image: $(docker image inspect --format '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
done

started=$(now)
cloud --env-file .env up -d >/dev/null 2>&1
deadline=$((SECONDS + 300))
until [ "$(docker ps --filter label=com.docker.compose.project=peregrine-cloud --format '{{.Status}}' | grep -cv '(healthy)')" = 0 ] \
  && [ "$(docker ps --filter label=com.docker.compose.project=peregrine-cloud -q | wc -l)" -ge 3 ]; do
  [ $SECONDS -lt $deadline ] || { echo "not healthy within 300 s" >&2; cloud ps >&2; exit 1; }
  sleep 0.5
done
echo "up -d to every service healthy: $(since "$started") s"

mint() {
  python3 - "$JWT_SECRET" "$1" <<'EOF'
import base64, hashlib, hmac, json, os, sys, time
secret, user = sys.argv[1], sys.argv[2]
part = lambda data: base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()
now = int(time.time())
body = part({"alg": "HS256", "typ": "JWT"}) + "." + part({"id": user, "role": None, "app_access": True, "admin_access": False,
    "session": os.urandom(16).hex(), "iat": now, "exp": now + 86400, "iss": "directus"})
print(body + "." + base64.urlsafe_b64encode(hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()).rstrip(b"=").decode())
EOF
}
first="$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Cookie: cf_session=$(mint "$(cat /proc/sys/kernel/random/uuid)")" \
  "http://127.0.0.1:$PORT/peregrine/api/session")"
echo "first request of a new user through the bastion: HTTP ${first% *}, ${first#* } s"

for _ in $(seq 1 "$USERS"); do
  token="$(mint "$(cat /proc/sys/kernel/random/uuid)")"
  echo "$token" >>"$WORK/tokens"
  curl -s -o /dev/null -w '%{time_total}\n' -H "Cookie: cf_session=$token" "http://127.0.0.1:$PORT/peregrine/api/session" >>"$WORK/first-requests"
done
echo "first requests of the next $USERS new users, one at a time: median $(sort -n "$WORK/first-requests" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}') s, max $(sort -n "$WORK/first-requests" | tail -1) s"
cat >"$WORK/mixed.lua" <<'EOF'
local tokens, counter = {}, 0
function setup(thread) thread:set("id", math.random(1, 1e9)) end
function init(args) for line in io.lines(args[1]) do tokens[#tokens + 1] = line end end
function request()
  counter = counter + 1
  local headers = { ["Cookie"] = "cf_session=" .. tokens[counter % #tokens + 1] }
  if counter % 5 == 0 then
    headers["Content-Type"] = "application/json"
    local body = string.format('{"title":"Engineer %d","company":"Acme","url":"https://jobs.invalid/%d/%d","description":"Build reliable services."}', counter, id, counter)
    return wrk.format("POST", "/peregrine/api/jobs", headers, body)
  end
  return wrk.format("GET", "/peregrine/api/jobs?limit=50", headers)
end
EOF
echo "load: $CONNECTIONS connections, $DURATION, $USERS users, reads:writes 4:1 (load average $(cut -d' ' -f1-3 /proc/loadavg))"
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency -s "$WORK/mixed.lua" "http://127.0.0.1:$PORT" -- "$WORK/tokens" \
  | grep -E 'requests in|Requests/sec|Non-2xx|Socket errors| 50%| 99%'
docker stats --no-stream --format '{{.Name}}: {{.MemUsage}}' $(docker ps --filter label=com.docker.compose.project=peregrine-cloud -q)

# What the app costs idle (its own health check every 10 s included), and one health probe, from its CPU account.
app="$(docker ps --filter label=com.docker.compose.project=peregrine-cloud --filter label=com.docker.compose.service=app -q --no-trunc)"
usage() { cat "/sys/fs/cgroup/cpuacct/docker/$app/cpuacct.usage" 2>/dev/null || echo 0; }
sleep 10
before=$(usage); sleep 60; idle=$(( ($(usage) - before) / 1000000 ))
before=$(usage)
for _ in $(seq 1 10); do docker exec "$app" /app/peregrine health-probe >/dev/null; done
echo "app idle: $idle ms CPU per minute; one health probe: $(( ($(usage) - before) / 10000000 )) ms CPU"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
