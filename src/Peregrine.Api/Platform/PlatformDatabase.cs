using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using Peregrine.Api.Erasure;
using Peregrine.Api.Privacy;
using Peregrine.Api.Telemetry;
using Peregrine.CloudSeams;
using Peregrine.Sessions;

namespace Peregrine.Api.Platform;

/// <summary>
/// The Postgres platform DB (account metadata only). Its connection comes from <c>PLATFORM_DB_URL</c> (the runbook's
/// variable; a <c>postgresql://</c> URL or an Npgsql keyword string), else from the Aspire reference
/// <c>ConnectionStrings__platformdb</c>.
/// </summary>
internal static class PlatformDatabase
{
    public const string ConnectionName = "platformdb";

    public static void AddPlatformDatabase(this IHostApplicationBuilder builder)
    {
        // Always present, so the privacy, support and account endpoints exist in every mode (503 without a DB).
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section);
        builder.Services.AddSingleton<PlatformDb>();
        builder.Services.AddSingleton<ConsentStore>();
        builder.Services.AddSingleton<SupportAccessGrants>();
        builder.Services.AddSingleton<PrivacyService>();
        builder.Services.AddSingleton<UserErasure>();
        builder.Services.AddSingleton<IUserEraser, LocalUserEraser>();
        builder.Services.AddSingleton<AccountService>();

        if (ConfiguredConnectionString(builder.Configuration) is not { } connectionString)
        {
            return; // local mode, or a cloud deployment that has not wired a platform DB yet
        }

        builder.AddNpgsqlDataSource(ConnectionName, settings =>
        {
            settings.ConnectionString = connectionString;
            // Aspire's own check reports Unhealthy; a platform DB outage must only degrade the service.
            settings.DisableHealthChecks = true;
        });
        builder.Services.AddHealthChecks().AddCheck<PlatformDatabaseHealthCheck>("platform-db", HealthStatus.Degraded);
        builder.Services.AddSingleton<PlatformSchema>();
        builder.Services.AddHostedService<PlatformSchemaMigrator>();
        builder.Services.AddSingleton<SubscriptionRegistry>();
        builder.Services.Replace(ServiceDescriptor.Singleton<ITierSource>(sp => sp.GetRequiredService<SubscriptionRegistry>()));
        builder.Services.Replace(ServiceDescriptor.Singleton<IAccountProvisioning>(sp => sp.GetRequiredService<SubscriptionRegistry>()));
        builder.Services.AddSingleton<AccountErasureLedger>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IAccountErasures>(sp => sp.GetRequiredService<AccountErasureLedger>()));
        builder.Services.AddHostedService<InterruptedErasures>();
        builder.AddUsageTelemetry();
    }

    /// <summary>The platform DB's Npgsql connection string, or null when none is configured.</summary>
    public static string? ConfiguredConnectionString(IConfiguration configuration)
    {
        var configured = configuration["PLATFORM_DB_URL"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = configuration.GetConnectionString(ConnectionName);
        }

        return string.IsNullOrWhiteSpace(configured) ? null : PlatformConnectionString.Normalize(configured);
    }

    private static void AddUsageTelemetry(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<TelemetryMetrics>();
        builder.Services.AddSingleton<UsageEventQueue>();
        builder.Services.Replace(ServiceDescriptor.Singleton<IUsageTelemetry, PlatformUsageTelemetry>());
        builder.Services.AddHostedService<UsageEventWriter>();
    }
}

internal sealed class PlatformDatabaseHealthCheck(NpgsqlDataSource dataSource) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(3));
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy("platform DB reachable");
        }
        catch (Exception)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "platform DB unreachable");
        }
    }
}
