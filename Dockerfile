# The image of every deployable project; PROJECT names it (Peregrine.Api or Peregrine.Demo), as compose.*.yml do:
#   docker build --build-arg PROJECT=Peregrine.Api --tag peregrine/peregrine-api .
# Build context: the repository root (the projects share Core, ServiceDefaults and eng/).
# Stages: the .NET build, the native encryption engine, and a runtime with only the app, the engine and curl.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG PROJECT
# Without PROJECT every COPY below would silently take src/ as a whole; fail instead.
RUN test -n "$PROJECT" || { echo "build with --build-arg PROJECT=Peregrine.Api (or Peregrine.Demo)" >&2; exit 1; }
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Peregrine.ServiceDefaults/ src/Peregrine.ServiceDefaults/
COPY src/Peregrine.Core/ src/Peregrine.Core/
COPY src/${PROJECT}/ src/${PROJECT}/
RUN dotnet publish "src/${PROJECT}/${PROJECT}.csproj" --configuration Release --output /app /p:UseAppHost=false

# SQLite 3.53.2 + SQLite3MultipleCiphers from the pinned npm package, compiled with gcc (DESIGN.md decision 1).
FROM node:22-bookworm AS engine
WORKDIR /src
COPY eng/build-native.sh eng/
RUN PEREGRINE_NATIVE_DIR=/engine eng/build-native.sh

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
ARG PROJECT
# curl only for the HEALTHCHECK; the aspnet image has no HTTP client.
RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
COPY --from=engine /engine/libsqlite3mc.so ./
ENV PEREGRINE_SQLITE_LIB=/app/libsqlite3mc.so \
    PEREGRINE_ENTRY_ASSEMBLY=/app/${PROJECT}.dll
# The aspnet image's unprivileged user; per-user trees on the mounted data root must be writable by it.
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD curl --fail --silent --output /dev/null "http://127.0.0.1:${HTTP_PORTS:-8080}/health" || exit 1
# Exec form cannot expand a variable, so a shell picks the project's assembly and then exec-replaces itself with
# dotnet: dotnet stays PID 1 and receives docker stop's SIGTERM for a graceful shutdown.
ENTRYPOINT ["/bin/sh", "-c", "exec dotnet \"$PEREGRINE_ENTRY_ASSEMBLY\" \"$@\"", "peregrine"]
