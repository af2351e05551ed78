using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.PlatformDb;

/// <summary>Gives an app the platform DB's URL (and what it needs to log in).</summary>
public sealed record PlatformDbConnection(Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> Apply);

/// <summary>
/// The platform DB (account metadata only: subscriptions, consent, usage events, support grants). Run and test mode:
/// Debian's Postgres 15 as an executable (no Docker engine on developer machines, and a container resource would hang
/// start-up). A deployment: the postgres container under the runbook's names, or an external server.
/// </summary>
public static class PlatformDbExtensions
{
    // The runbook's names: operators type them (docker exec cf-platform-db psql -U cf_platform -d circuitforge_platform).
    public const string ContainerName = "cf-platform-db";
    public const string Role = "cf_platform";
    public const string Database = "circuitforge_platform";

    /// <summary>The compose profile that starts the bundled server; without it, PLATFORM_DB_URL names an external one.</summary>
    public const string Profile = "platform-db";

    public static PlatformDbConnection AddPlatformDb(this IDistributedApplicationBuilder builder, AppHostLayout layout)
    {
        // Generated once for development and kept in user secrets; in a deployment the bundled server's password in .env.
        var password = builder.AddParameter("platformdb-password", new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true)
            .WithDescription("Password of the bundled platform DB's cf_platform role (set once, before its first start; not needed with an external PLATFORM_DB_URL that carries its own).")
            .WithComposeVariable(name: "PLATFORM_DB_PASSWORD", required: false, prompted: true);
        if (!builder.ExecutionContext.IsPublishMode)
        {
            var local = builder.AddLocalPostgres("platformdb", Path.Combine(layout.StateDirectory, "postgres"), password);
            return new PlatformDbConnection(app => app.WithEnvironment("PLATFORM_DB_URL", local).WaitFor(local));
        }

        // Major version 15: the one every test and developer run exercises the schema against. Local connections inside
        // the container are trusted (the official image's default), which the runbook's docker exec psql relies on;
        // connections over the network need the password.
        builder.AddContainer(ContainerName, "postgres", "15")
            .WithEnvironment("POSTGRES_USER", Role)
            .WithEnvironment("POSTGRES_DB", Database)
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithVolume("peregrine-pgdata", "/var/lib/postgresql/data")
            .WithEndpoint(targetPort: 5432, name: "tcp", scheme: "tcp")
            .WithComposeSettings(settings => settings with
            {
                ContainerName = ContainerName,
                Profiles = [Profile],
                ImageVariable = "PLATFORM_DB_IMAGE",
                HealthCheck = new ComposeHealthCheck(["CMD", "pg_isready", "-U", Role, "-d", Database], Interval: "5s"),
            });

        // No password in the default URL: the app takes it from PGPASSWORD, so .env holds it once.
        var url = builder.AddParameter("platform-db-url")
            .WithDescription($"Postgres URL of the platform DB. Default: the bundled {ContainerName}. External (runbook): postgresql://{Role}:<pass>@host.docker.internal:5433/{Database}, and {Profile} left out of COMPOSE_PROFILES.")
            .WithComposeVariable(name: "PLATFORM_DB_URL", defaultValue: $"postgresql://{Role}@{ContainerName}:5432/{Database}", required: false);
        return new PlatformDbConnection(app => app.WithEnvironment("PLATFORM_DB_URL", url).WithEnvironment("PGPASSWORD", password));
    }
}
