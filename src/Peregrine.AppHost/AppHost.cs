using Peregrine.AppHost.Bastion;
using Peregrine.AppHost.PlatformDb;

var builder = DistributedApplication.CreateBuilder(args);

// Everything the AppHost owns in run mode (Postgres data, per-user trees, the demo DB, Caddy state and logs) lives
// under one folder, so a developer can inspect it or delete it to start over. Tests point it at a temp folder.
var stateDirectory = Path.GetFullPath(builder.Configuration["State:Root"] ?? Path.Combine(builder.AppHostDirectory, ".state"));

// Secrets are Aspire parameters: generated once for development and kept in user secrets, never in the repo.
// In a deployment they become entries of .env.
var pgPassword = builder.AddParameter("platformdb-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
var jwtSecret = builder.AddParameter("directus-jwt-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);
var serverSecret = builder.AddParameter("cf-server-secret", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

// platformdb: account metadata only (subscriptions, consent, usage events, support grants).
// Run/test mode uses Debian's Postgres 15 as an executable: no Docker engine exists on developer machines, and a
// container resource would hang start-up. Publish mode uses the postgres container with a named volume.
IResourceBuilder<IResourceWithConnectionString> platformDb = builder.ExecutionContext.IsPublishMode
    ? builder.AddPostgres("postgres", password: pgPassword).WithDataVolume("peregrine-pgdata").AddDatabase("platformdb")
    : builder.AddLocalPostgres("platformdb", Path.Combine(stateDirectory, "postgres"), pgPassword);

// api: the multi-tenant cloud service. It needs the platform DB before it can serve sessions, hence WaitFor.
var api = builder.AddProject<Projects.Peregrine_Api>("api")
    .WithEnvironment("CLOUD_MODE", "true")
    .WithEnvironment("CLOUD_DATA_ROOT", Path.Combine(stateDirectory, "cloud-data"))
    .WithEnvironment("DIRECTUS_JWT_SECRET", jwtSecret)
    .WithEnvironment("CF_SERVER_SECRET", serverSecret)
    .WithEnvironment("PLATFORM_DB_URL", platformDb)
    .WithHttpHealthCheck("/health")
    .WaitFor(platformDb);

// demo: the public demo, a separate process with its own data and no secrets, so nothing of the cloud leaks into it.
builder.AddProject<Projects.Peregrine_Demo>("demo")
    .WithEnvironment("DEMO_MODE", "true")
    .WithEnvironment("STAGING_DB", Path.Combine(stateDirectory, "demo-data", "staging.db"))
    .WithHttpHealthCheck("/health");

// bastion: Caddy, the only entry point users see; routes /peregrine* to the api and copies Cookie into X-CF-Session.
builder.AddLocalBastion("bastion", api, stateDirectory)
    .WaitFor(api);

builder.Build().Run();
