using Microsoft.Extensions.DependencyInjection;

namespace Peregrine.CloudSeams;

/// <summary>
/// The seams the cloud host replaces, in one place: usage telemetry, tiers, account provisioning and the erasure
/// record. These defaults serve local mode and the demo (nothing recorded, every user free, no accounts); the cloud API
/// replaces each with its platform-DB implementation (<c>AddPlatformDatabase</c>), and the demo its tier source.
/// </summary>
public static class CloudSeamDefaults
{
    public static IServiceCollection AddCloudSeamDefaults(this IServiceCollection services)
    {
        services.AddSingleton<IUsageTelemetry, NoUsageTelemetry>();
        services.AddSingleton<ITierSource, FreeTierSource>();
        services.AddSingleton<IAccountProvisioning, NoAccountProvisioning>();
        services.AddSingleton<IAccountErasures, NoAccountErasures>();
        return services;
    }
}
