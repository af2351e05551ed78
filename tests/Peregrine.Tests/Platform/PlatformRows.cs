using Dapper;
using Npgsql;

namespace Peregrine.Tests.Platform;

/// <summary>Test-side seeding and counting of one user's platform rows, straight in SQL (what an operator would see).</summary>
public static class PlatformRows
{
    public static readonly Counts Empty = new(0, 0, 0, 0);

    public sealed record Counts(long Subscriptions, long TelemetryConsent, long UsageEvents, long SupportAccessGrants);

    public static async Task SeedUserAsync(NpgsqlConnection connection, Guid userId, int events, int grants, bool? allDisabled, bool? usageEvents)
    {
        await connection.ExecuteAsync("INSERT INTO subscriptions (user_id, product, tier) VALUES (@userId, 'peregrine', 'free')", new { userId });
        if (allDisabled is not null && usageEvents is not null)
        {
            await connection.ExecuteAsync(
                "INSERT INTO telemetry_consent (user_id, all_disabled, usage_events_enabled) VALUES (@userId, @allDisabled, @usageEvents)",
                new { userId, allDisabled, usageEvents });
        }

        for (var i = 0; i < events; i++)
        {
            await connection.ExecuteAsync("INSERT INTO usage_events (user_id, app, event_type) VALUES (@userId, 'peregrine', 'seeded_event')", new { userId });
        }

        for (var i = 0; i < grants; i++)
        {
            await connection.ExecuteAsync("INSERT INTO support_access_grants (user_id, expires_at) VALUES (@userId, now() + interval '4 hours')", new { userId });
        }
    }

    public static async Task<Counts> CountAsync(NpgsqlConnection connection, Guid userId)
    {
        const string sql = """
            SELECT (SELECT count(*) FROM subscriptions WHERE user_id = @userId),
                   (SELECT count(*) FROM telemetry_consent WHERE user_id = @userId),
                   (SELECT count(*) FROM usage_events WHERE user_id = @userId),
                   (SELECT count(*) FROM support_access_grants WHERE user_id = @userId)
            """;
        var row = await connection.QuerySingleAsync<(long, long, long, long)>(sql, new { userId });
        return new Counts(row.Item1, row.Item2, row.Item3, row.Item4);
    }
}
