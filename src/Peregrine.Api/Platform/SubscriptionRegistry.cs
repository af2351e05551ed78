using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.Configuration;
using Peregrine.Tiers;

namespace Peregrine.Api.Platform;

/// <summary>
/// One <c>subscriptions</c> row per user: the parent every other platform row of that user hangs off (so the
/// runbook's GDPR <c>DELETE FROM subscriptions</c> cascades). Ensured at first login and again, lazily, before any
/// consent, event or grant write, so a foreign key can never fail.
/// </summary>
public sealed class SubscriptionRegistry(NpgsqlDataSource dataSource, IOptions<PeregrineOptions> options, ILogger<SubscriptionRegistry> logger) : ITierSource
{
    public const string FreeTier = "free";

    // Tier lookups sit on request paths (session, config/app); a platform DB outage must cost them little.
    private static readonly TimeSpan TierLookupBudget = TimeSpan.FromSeconds(2);

    internal const string EnsureSql = """
        INSERT INTO subscriptions (user_id, product, tier)
        SELECT user_id, @Product, 'free' FROM unnest(@UserIds) AS ids(user_id)
        ON CONFLICT (user_id) DO NOTHING
        """;

    public Task EnsureAsync(Guid userId, CancellationToken cancellationToken = default) =>
        EnsureAsync(userId, connection: null, transaction: null, cancellationToken);

    /// <summary>Idempotent (<c>ON CONFLICT DO NOTHING</c>); joins the caller's transaction when given one.</summary>
    public async Task EnsureAsync(Guid userId, NpgsqlConnection? connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        var parameters = new { Product = options.Value.App, UserIds = new[] { userId } };
        if (connection is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(EnsureSql, parameters, transaction, cancellationToken: cancellationToken));
            return;
        }

        await using var own = await dataSource.OpenConnectionAsync(cancellationToken);
        await own.ExecuteAsync(new CommandDefinition(EnsureSql, parameters, cancellationToken: cancellationToken));
    }

    /// <summary>The user's tier from <c>subscriptions</c>; <c>free</c> when absent or when the platform DB is unreachable (never blocking, as upstream's Heimdall lookup).</summary>
    public async ValueTask<string> GetTierAsync(string userId, CancellationToken cancellationToken = default)
    {
        const string sql = "SELECT tier FROM subscriptions WHERE user_id = @userId";
        if (!Guid.TryParse(userId, out var id))
        {
            return FreeTier;
        }

        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TierLookupBudget);
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
