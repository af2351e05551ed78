using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.Health;

/// <summary>Readiness: the encryption engine answers a query. Without it no user DB can be opened.</summary>
public sealed class NativeEngineHealthCheck : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var connection = SqliteDatabase.Open(":memory:", key: null, pooling: false);
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT sqlite_version();";
            return Task.FromResult(HealthCheckResult.Healthy($"SQLite {command.ExecuteScalar()}"));
        }
        catch (Exception)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"encryption engine not usable; build it with {SqliteEngine.BuildCommand}"));
        }
    }
}

/// <summary>Readiness: the data root accepts a write (a read-only or full volume would fail every first login).</summary>
public sealed class DataRootHealthCheck(IOptions<PeregrineOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var root = options.Value.DataRoot;
        var probe = Path.Combine(root, $".health-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(root);
            await File.WriteAllTextAsync(probe, "ok", cancellationToken);
            return HealthCheckResult.Healthy("data root writable");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("data root is not writable");
        }
        finally
        {
            File.Delete(probe);
        }
    }
}
