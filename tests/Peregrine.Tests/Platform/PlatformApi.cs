using Microsoft.Extensions.DependencyInjection;
using Peregrine.Api.Platform;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

/// <summary>The real Api in cloud mode (<see cref="PeregrineApiFactory"/>) against the fixture's Postgres, by <c>PLATFORM_DB_URL</c> in the runbook's URL form.</summary>
public static class PlatformApi
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    /// <summary>Starts the app and waits (bounded) until its migrations are applied.</summary>
    public static async Task<PeregrineApiFactory> StartAsync(PostgresFixture postgres, params (string Key, string Value)[] settings)
    {
        var api = new PeregrineApiFactory().Configure("PLATFORM_DB_URL", postgres.Url);
        foreach (var (key, value) in settings)
        {
            api.Configure(key, value);
        }

        await api.Services.GetRequiredService<PlatformSchema>().Applied.WaitAsync(Timeout);
        return api;
    }
}
