using Npgsql;

namespace Peregrine.Api.Platform;

/// <summary>
/// The platform DB for request handlers and the erasure: always registered, so the endpoints exist in every mode;
/// opening throws <see cref="PlatformUnavailableException"/> when no platform DB is configured, which the endpoints
/// turn into a 503 problem exactly like an unreachable one.
/// </summary>
public sealed class PlatformDb(NpgsqlDataSource? dataSource = null)
{
    public bool IsConfigured => dataSource is not null;

    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) =>
        dataSource is null
            ? throw new PlatformUnavailableException("no platform DB is configured (PLATFORM_DB_URL)")
            : await dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>What an endpoint treats as "the platform DB is not there right now" (503), as opposed to a bug (500).</summary>
    public static bool IsOutage(Exception e) => e is PlatformUnavailableException or NpgsqlException or TimeoutException;
}

public sealed class PlatformUnavailableException(string message) : Exception(message);
