# The image of every deployable project; PROJECT names it (Peregrine.Api or Peregrine.Demo), as compose.*.yml do:
#   docker build --build-arg PROJECT=Peregrine.Api --tag peregrine/peregrine-api .
# Build context: the repository root. Base images are build arguments defaulting to the official images; a machine
# that cannot pull them builds local stand-ins under the same names with eng/base-images.sh.
# Stages: one .NET build of every deployable project, the native encryption engine, and a runtime per project. Only the
# last stage reads PROJECT, so the Api and Demo images share every build layer (the second image costs seconds).
ARG DOTNET_SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG ASPNET_IMAGE=mcr.microsoft.com/dotnet/aspnet:10.0
ARG NODE_IMAGE=node:22-bookworm

FROM ${DOTNET_SDK_IMAGE} AS build
WORKDIR /src
# global.json stays out: it pins the SDK of developer machines, and the SDK image is this build's pin.
COPY Directory.Build.props Directory.Packages.props .editorconfig ./
# Project files first, so a code change reuses the restored packages. Every project the deployables reference
# (transitively) is listed here and below; a test reads the project files and fails on one left out.
COPY src/Peregrine.ServiceDefaults/Peregrine.ServiceDefaults.csproj src/Peregrine.ServiceDefaults/
COPY src/Peregrine.Core/Peregrine.Core.csproj src/Peregrine.Core/
COPY src/Peregrine.Web/Peregrine.Web.csproj src/Peregrine.Web/
COPY src/Peregrine.Api/Peregrine.Api.csproj src/Peregrine.Api/
COPY src/Peregrine.Demo/Peregrine.Demo.csproj src/Peregrine.Demo/
RUN dotnet restore src/Peregrine.Api/Peregrine.Api.csproj && dotnet restore src/Peregrine.Demo/Peregrine.Demo.csproj
COPY src/Peregrine.ServiceDefaults/ src/Peregrine.ServiceDefaults/
COPY src/Peregrine.Core/ src/Peregrine.Core/
COPY src/Peregrine.Web/ src/Peregrine.Web/
COPY src/Peregrine.Api/ src/Peregrine.Api/
COPY src/Peregrine.Demo/ src/Peregrine.Demo/
RUN for project in Peregrine.Api Peregrine.Demo; do \
      dotnet publish "src/$project/$project.csproj" --configuration Release --no-restore --output "/out/$project" || exit 1; \
    done

# SQLite 3.53.2 + SQLite3MultipleCiphers from the pinned npm package, compiled with gcc (DESIGN.md decision 1).
FROM ${NODE_IMAGE} AS engine
WORKDIR /src
COPY eng/build-native.sh eng/
RUN PEREGRINE_NATIVE_DIR=/engine eng/build-native.sh

FROM ${ASPNET_IMAGE} AS runtime
# The scheduled backup service runs this image: restic holds the snapshots, pg_dump and psql move the platform DB
# (Postgres 15, the server's major version). Debian's packages over plain HTTP, which every builder here reaches.
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends restic postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*
# The data mount points belong to the app's user: a new named volume (the demo's) takes the owner of the folder it is
# mounted on. A host folder (the cloud's data root) keeps its own owner; the compose file's init service sets it.
RUN mkdir -p /data/cloud /data/demo && chown "$APP_UID:$APP_UID" /data/cloud /data/demo && chmod 0700 /data/cloud /data/demo
WORKDIR /app
COPY --from=engine /engine/libsqlite3mc.so ./
ARG PROJECT
# Without PROJECT the COPY below would take every project's output; fail instead.
RUN test -n "$PROJECT" || { echo "build with --build-arg PROJECT=Peregrine.Api (or Peregrine.Demo)" >&2; exit 1; }
COPY --from=build /out/${PROJECT}/ ./
# One name for every project's launcher (the apphost publish makes, which runs the assembly beside it), so the entry
# point and the health check are exec form: no shell between Docker and the app. A shell would also drop variables
# whose names are not shell identifiers, such as Logging__LogLevel__Microsoft.AspNetCore.
RUN ln -s "$PROJECT" /app/peregrine
ENV PEREGRINE_SQLITE_LIB=/app/libsqlite3mc.so
# The aspnet image's unprivileged user. Compose also makes the root file system read-only (writes go to the data
# mount and a tmpfs /tmp).
USER $APP_UID
# The service probes itself (HealthProbe): no HTTP client in the image. The compose files may tune the timing.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 CMD ["/app/peregrine", "health-probe"]
ENTRYPOINT ["/app/peregrine"]
