using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Api.Platform;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Platform;

/// <summary>The real Api in cloud mode against the fixture's Postgres (by <c>PLATFORM_DB_URL</c>, the runbook's form) and a temp data root.</summary>
public sealed class PlatformApiFactory(PostgresFixture postgres, Action<IWebHostBuilder>? configure = null) : WebApplicationFactory<Peregrine.Api.ApiAssembly>
{
    public const string ServerSecret = "platform-test-server-secret";
    public const string JwtSecret = "platform-test-directus-secret-0123456789";
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly TestDirectory _dataRoot = new("peregrine-platform-data");

    public string DataRoot => _dataRoot.Path;

    public PostgresFixture Postgres => postgres;

    /// <summary>Starts the app and waits (bounded) until its migrations are applied.</summary>
    public async Task<PlatformApiFactory> StartAsync()
    {
        await Services.GetRequiredService<PlatformSchema>().Applied.WaitAsync(Timeout);
        return this;
    }

    /// <summary>Polls (bounded) until <paramref name="sql"/> returns <paramref name="expected"/>: the writer is asynchronous by design.</summary>
    public async Task<long> WaitForCountAsync(string sql, object parameters, long expected)
    {
        var deadline = DateTime.UtcNow + Timeout;
        long count;
        do
        {
            await using var connection = await postgres.OpenAsync();
            count = await connection.ExecuteScalarAsync<long>(sql, parameters);
            if (count == expected)
            {
                return count;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);
        return count;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("CLOUD_MODE", "true");
        builder.UseSetting("CLOUD_DATA_ROOT", _dataRoot.Path);
        builder.UseSetting("CF_SERVER_SECRET", ServerSecret);
        builder.UseSetting("DIRECTUS_JWT_SECRET", JwtSecret);
        builder.UseSetting("PLATFORM_DB_URL", postgres.Url);
        configure?.Invoke(builder);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _dataRoot.Dispose();
        }
    }
}
