#!/usr/bin/env bash
# For machines that cannot pull the official base images (no container registry reachable, as on this project's CI
# machines). A deployment with registry access uses the official images and never runs this.
#
# Builds local stand-ins from Debian 12 packages and tags them with the official names the Dockerfile and the compose
# files use, so both run unchanged:
#   mcr.microsoft.com/dotnet/aspnet:10.0   Debian + this host's installed .NET runtime, user app (UID 1654)
#   mcr.microsoft.com/dotnet/sdk:10.0      the aspnet stand-in + this host's installed SDK
#   node:22-bookworm                       Debian's nodejs, gcc and libssl-dev, npm (the build stage of the encryption engine)
#   postgres:15                            Debian's postgresql-15 behind the official image's entrypoint contract
#   caddy:2.6                              Debian's caddy 2.6, laid out as the official image is
# Every stand-in trusts what this host trusts (its CA bundle), so NuGet and npm work through the host's TLS egress.
#
# Idempotent and quick when the images exist: an image under an official name is kept when it is the official one
# (pulled) or a stand-in of the same recipe; only missing or outdated stand-ins are built, independent ones in
# parallel. The Debian root file system comes from debootstrap once and is kept as a tarball in
# $PEREGRINE_IMAGE_CACHE (default /var/cache/peregrine-images) for the next build.
#   ./eng/base-images.sh            ensure all five
#   ./eng/base-images.sh --list     print the official names (what a machine with registry access pulls instead)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PEREGRINE_IMAGE_CACHE:-/var/cache/peregrine-images}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
ROOTFS=peregrine-stand-in/debian-rootfs:bookworm
BASE=peregrine-stand-in/debian:bookworm
LABEL=org.peregrine.stand-in

ASPNET=mcr.microsoft.com/dotnet/aspnet:10.0
SDK=mcr.microsoft.com/dotnet/sdk:10.0
NODE=node:22-bookworm
POSTGRES=postgres:15
CADDY=caddy:2.6

if [ "${1:-}" = "--list" ]; then
  printf '%s\n' "$ASPNET" "$SDK" "$NODE" "$POSTGRES" "$CADDY"
  exit 0
fi

say() { echo "base-images: $*"; }
docker info >/dev/null 2>&1 || { echo "base-images: no Docker engine answers (start dockerd first)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
DOTNET_ROOT_DIR="$(dirname "$(readlink -f "$(command -v dotnet)")")"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# 0: keep the image (official, i.e. unlabelled, or a stand-in of this recipe); 1: build it.
is_current() {
  local image="$1" recipe="$2" found
  found="$(docker image inspect --format "{{ index .Config.Labels \"$LABEL\" }}" "$image" 2>/dev/null)" || return 1
  [ "$found" = "<no value>" ] || [ -z "$found" ] || [ "$found" = "$recipe" ]
}

# build IMAGE CONTEXT <<DOCKERFILE — the recipe is the Dockerfile, the image it starts FROM, the host's CA bundle and
# RECIPE_EXTRA (what it copies from this host), so a change to any of them builds the stand-in again.
build() {
  local image="$1" context="$2" dockerfile recipe from
  dockerfile="$(cat)"
  from="$(sed -n 's/^FROM //p' <<<"$dockerfile" | head -1)"
  recipe="$({ printf '%s\n%s\n' "$dockerfile" "${RECIPE_EXTRA:-}"; docker image inspect --format '{{.Id}}' "$from"; sha256sum <"$CA_BUNDLE"; } \
    | sha256sum | cut -c1-16)"
  if is_current "$image" "$recipe"; then
    say "$image present"
    return 0
  fi
  say "building stand-in $image"
  local started=$SECONDS log="$WORK/build-${image//[^a-z0-9]/-}.log"
  cp "$CA_BUNDLE" "$context/host-ca-certificates.crt"
  printf '%s\nLABEL %s=%s\n' "$dockerfile" "$LABEL" "$recipe" \
    | docker build --tag "$image" --file - "$context" >"$log" 2>&1 \
    || { echo "base-images: building $image failed:" >&2; tail -30 "$log" >&2; return 1; }
  say "built $image in $((SECONDS - started)) s"
}

ensure_rootfs() {
  if docker image inspect "$ROOTFS" >/dev/null 2>&1; then return 0; fi
  local tarball="$CACHE/debian-bookworm-minbase.tar"
  if [ ! -f "$tarball" ]; then
    command -v debootstrap >/dev/null || { echo "base-images: debootstrap is required (apt-get install -y debootstrap)" >&2; exit 1; }
    say "debootstrap bookworm (minbase) from $MIRROR, about 1.5 min once"
    local rootfs="$WORK/rootfs" started=$SECONDS
    debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 \
      || { tail -20 "$WORK/debootstrap.log" >&2; exit 1; }
    # Package caches and lists age: every stand-in runs its own apt-get update.
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    mkdir -p "$CACHE"
    tar -C "$rootfs" -cf "$tarball.partial" . && mv "$tarball.partial" "$tarball"
    rm -rf "$rootfs"
    say "debootstrap took $((SECONDS - started)) s (cached in $tarball)"
  fi
  docker import --change 'CMD ["bash"]' "$tarball" "$ROOTFS" >/dev/null
  say "imported $ROOTFS"
}

# Links (instant, same file system) or copies of parts of the installed .NET into a build context.
stage_dotnet() {
  local context="$1"
  shift
  mkdir -p "$context/dotnet"
  for part in "$@"; do
    cp -al "$DOTNET_ROOT_DIR/$part" "$context/dotnet/" 2>/dev/null || cp -a "$DOTNET_ROOT_DIR/$part" "$context/dotnet/"
  done
}

# Debian packages come over plain HTTP (no CA needed); this host's CA bundle then becomes the trust store.
APT_INSTALL='RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq'
APT_CLEAN='&& apt-get clean && rm -rf /var/lib/apt/lists/*'
TRUST='COPY host-ca-certificates.crt /etc/ssl/certs/ca-certificates.crt'
EMPTY="$WORK/empty"
mkdir -p "$EMPTY"

build_runtime_and_sdk() {
  local runtime_parts=(dotnet host shared LICENSE.txt ThirdPartyNotices.txt) sdk_parts=()
  stage_dotnet "$WORK/aspnet" "${runtime_parts[@]}"
  RECIPE_EXTRA="$(ls "$DOTNET_ROOT_DIR/shared"/*)" build "$ASPNET" "$WORK/aspnet" <<EOF
FROM $BASE
$APT_INSTALL ca-certificates libicu72 libssl3 tzdata $APT_CLEAN
$TRUST
RUN groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --create-home --shell /bin/false app
COPY dotnet /usr/share/dotnet
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV APP_UID=1654 ASPNETCORE_HTTP_PORTS=8080 DOTNET_RUNNING_IN_CONTAINER=true
EOF

  # The official sdk image builds on the aspnet one too; this adds what the runtime folders do not have.
  for part in "$DOTNET_ROOT_DIR"/*; do
    case " ${runtime_parts[*]} " in *" $(basename "$part") "*) ;; *) sdk_parts+=("$(basename "$part")") ;; esac
  done
  stage_dotnet "$WORK/sdk" "${sdk_parts[@]}"
  RECIPE_EXTRA="$(ls "$DOTNET_ROOT_DIR/sdk")" build "$SDK" "$WORK/sdk" <<EOF
FROM $ASPNET
COPY dotnet /usr/share/dotnet
ENV DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 \
    DOTNET_GENERATE_ASPNET_CERTIFICATE=false NUGET_XMLDOC_MODE=skip NUGET_CERT_REVOCATION_MODE=offline
EOF
}

# npm comes from the npm registry as the official image's does (one self-contained package); Debian's npm package
# would add 370 packages of its own dependencies and three minutes to a cold build.
NPM_PACKAGE=npm-10.9.2.tgz
NPM_INTEGRITY=sha512-iriPEPIkoMYUy3F6f3wwSZAU93E0Eg6cHwIR6jzzOXWSy+SD/rOODEs74cVONHKSx2obXtuUoyidVEhISrisgQ==
build_node() {
  mkdir -p "$WORK/node" "$CACHE"
  if [ ! -f "$CACHE/$NPM_PACKAGE" ]; then
    curl --fail --silent --show-error --location --output "$CACHE/$NPM_PACKAGE.partial" "https://registry.npmjs.org/npm/-/$NPM_PACKAGE"
    mv "$CACHE/$NPM_PACKAGE.partial" "$CACHE/$NPM_PACKAGE"
  fi
  if [ "sha512-$(openssl dgst -sha512 -binary "$CACHE/$NPM_PACKAGE" | base64 -w0)" != "$NPM_INTEGRITY" ]; then
    rm -f "$CACHE/$NPM_PACKAGE"
    echo "base-images: $NPM_PACKAGE does not match its registry integrity; removed, run again" >&2
    return 1
  fi
  cp "$CACHE/$NPM_PACKAGE" "$WORK/node/npm.tgz"
  build "$NODE" "$WORK/node" <<EOF
FROM $BASE
$APT_INSTALL ca-certificates nodejs gcc libc6-dev libssl-dev make $APT_CLEAN
$TRUST
COPY npm.tgz /tmp/npm.tgz
RUN mkdir -p /usr/local/lib/node_modules/npm \
 && tar -xzf /tmp/npm.tgz -C /usr/local/lib/node_modules/npm --strip-components=1 && rm /tmp/npm.tgz \
 && ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
}

# The official image's contract (POSTGRES_USER/PASSWORD/DB, initdb on the first start into PGDATA, scripts in
# /docker-entrypoint-initdb.d, local socket trusted, host connections by password) is its entrypoint's job.
build_postgres() {
  mkdir -p "$WORK/postgres"
  cp "$ROOT/eng/stand-ins/postgres-entrypoint.sh" "$WORK/postgres/docker-entrypoint.sh"
  RECIPE_EXTRA="$(sha256sum <"$WORK/postgres/docker-entrypoint.sh")" build "$POSTGRES" "$WORK/postgres" <<EOF
FROM $BASE
RUN mkdir -p /etc/postgresql-common/createcluster.d \
 && echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.d/no-main-cluster.conf
$APT_INSTALL ca-certificates postgresql-15 $APT_CLEAN
$TRUST
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
RUN chmod 0755 /usr/local/bin/docker-entrypoint.sh && mkdir -p /docker-entrypoint-initdb.d /var/run/postgresql \
 && chown postgres:postgres /var/run/postgresql && chmod 2777 /var/run/postgresql
ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
VOLUME /var/lib/postgresql/data
ENTRYPOINT ["docker-entrypoint.sh"]
STOPSIGNAL SIGINT
EXPOSE 5432
CMD ["postgres"]
EOF
}

# As the official image: config and data under /config and /data. wget for health checks, as its busybox has one.
build_caddy() {
  build "$CADDY" "$EMPTY" <<EOF
FROM $BASE
$APT_INSTALL ca-certificates caddy wget $APT_CLEAN
$TRUST
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
RUN mkdir -p /config/caddy /data/caddy /etc/caddy /srv
VOLUME /config /data
WORKDIR /srv
EXPOSE 80 443
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
EOF
}

started=$SECONDS
ensure_rootfs
# Set up as Debian's official image is for builds: dpkg without an fsync per file (a layer is written once, and this
# makes installs several times faster), no translations, no recommended packages.
build "$BASE" "$EMPTY" <<EOF
FROM $ROOTFS
RUN echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/docker-apt-speedup \
 && printf 'Acquire::Languages "none";\nAPT::Install-Recommends "false";\n' > /etc/apt/apt.conf.d/docker-build \
 && printf 'deb $MIRROR bookworm main\ndeb $MIRROR bookworm-updates main\ndeb $MIRROR-security bookworm-security main\n' \
    > /etc/apt/sources.list
EOF

pids=()
build_runtime_and_sdk & pids+=($!)
build_node & pids+=($!)
build_postgres & pids+=($!)
build_caddy & pids+=($!)
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" = 0 ] || { echo "base-images: a stand-in failed to build (see above)" >&2; exit 1; }
say "ready in $((SECONDS - started)) s: $ASPNET $SDK $NODE $POSTGRES $CADDY"
