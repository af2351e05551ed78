using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Api.Platform;

/// <summary>
/// One <c>subscriptions</c> row per user: the parent every other platform row of that user hangs off (so the
/// runbook's GDPR <c>DELETE FROM subscriptions</c> cascades). Ensured at first login and again, lazily, before a
/// consent or grant write (the user asked for it). Usage events never create it: one still queued when its user was
/// erased must not bring the user back, so the writer records events only for users who have the row.
/// </summary>
public sealed class SubscriptionRegistry(NpgsqlDataSource dataSource, IOptions<PeregrineOptions> options, ILogger<SubscriptionRegistry> logger) : ITierSource, IAccountProvisioning
{
    public const string FreeTier = "free";

    // Tier lookups and first-login provisioning sit on request paths; a platform DB outage must cost them little.
    private static readonly TimeSpan PlatformBudget = TimeSpan.FromSeconds(2);

    private const string EnsureSql = """
        INSERT INTO subscriptions (user_id, product, tier)
        SELECT user_id, @Product, 'free' FROM unnest(@UserIds) AS ids(user_id)
        ON CONFLICT (user_id) DO NOTHING
        """;

    // One round trip, and no wait for the WAL flush (synchronous_commit off for this transaction only): a crash may
    // lose the row, which costs nothing, because every write that needs it ensures it again inside its own durable
    // transaction. Waiting for the flush was a disk sync on every new user's first request.
    private const string EnsureAtFirstLoginSql = $"""
        BEGIN;
        SET LOCAL synchronous_commit TO OFF;
        {EnsureSql};
        COMMIT;
        """;

    /// <summary>First login: the user's free-tier row, if there is none yet.</summary>
    public async Task EnsureAsync(Guid userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(EnsureAtFirstLoginSql, new { Product = options.Value.App, UserIds = new[] { userId } }, cancellationToken: cancellationToken));
    }

    /// <summary>The first-login hook: best effort, because consent and grant writes ensure the row again before they need it.</summary>
    public async ValueTask EnsureAccountAsync(string userId, CancellationToken cancellationToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(PlatformBudget);
        try
        {
            await EnsureAsync(Guid.Parse(userId), budget.Token);
        }
        catch (Exception e) when ((e is NpgsqlException or OperationCanceledException or TimeoutException) && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Subscription not ensured at first login: platform DB unavailable ({Kind})", e.GetType().Name);
        }
    }

    /// <summary>Idempotent (<c>ON CONFLICT DO NOTHING</c>), inside the caller's transaction: run before any write that references the user.</summary>
    public static Task EnsureAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string product, Guid[] userIds, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(EnsureSql, new { Product = product, UserIds = userIds }, transaction, cancellationToken: cancellationToken));

    /// <summary>The user's tier from <c>subscriptions</c>; <c>free</c> when absent or when the platform DB is unreachable (never blocking, as upstream's Heimdall lookup).</summary>
    public async ValueTask<string> GetTierAsync(string userId, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT tier FROM subscriptions WHERE user_id = @userId";
        if (!Guid.TryParse(userId, out var id))
        {
            return FreeTier;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(PlatformBudget);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(budget.Token);
            var tier = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(sql, new { userId = id }, cancellationToken: budget.Token));
            return tier ?? FreeTier;
        }
        catch (Exception e) when ((e is NpgsqlException or OperationCanceledException or TimeoutException) && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Tier lookup fell back to free: platform DB unavailable ({Kind})", e.GetType().Name);
            return FreeTier;
        }
    }
}
