using Dapper;
using Microsoft.Extensions.Options;
using Peregrine.Api.Platform;
using Peregrine.Configuration;

namespace Peregrine.Api.Privacy;

public sealed record SupportAccessGrant(long Id, DateTime ExpiresAt, string? TicketRef, DateTime CreatedAt);

/// <summary>
/// Temporary support access (<c>support_access_grants</c>). "Active" means not revoked and not yet expired by the
/// service's clock (<see cref="TimeProvider"/>), so an expired or revoked grant is never reported active.
/// </summary>
public sealed class SupportAccessGrants(PlatformDb platform, TimeProvider clock, IOptions<PeregrineOptions> options)
{
    public static readonly int[] AllowedHours = [4, 8, 24, 48, 72];

    public async Task<SupportAccessGrant> CreateAsync(Guid userId, int hours, string? ticketRef, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO support_access_grants (user_id, expires_at, ticket_ref, created_at)
            VALUES (@userId, @expiresAt, @ticketRef, @now)
            RETURNING id, expires_at AS "ExpiresAt", ticket_ref AS "TicketRef", created_at AS "CreatedAt"
            """;
        var now = clock.GetUtcNow().UtcDateTime;
        await using var connection = await platform.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SubscriptionRegistry.EnsureAsync(connection, transaction, options.Value.App, [userId], cancellationToken);
        var grant = await connection.QuerySingleAsync<SupportAccessGrant>(new CommandDefinition(
            sql, new { userId, expiresAt = now.AddHours(hours), ticketRef, now }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return grant;
    }

    public async Task<IReadOnlyList<SupportAccessGrant>> ListActiveAsync(Guid userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT id, expires_at AS "ExpiresAt", ticket_ref AS "TicketRef", created_at AS "CreatedAt" FROM support_access_grants
            WHERE user_id = @userId AND revoked_at IS NULL AND expires_at > @now
            ORDER BY expires_at
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        var grants = await connection.QueryAsync<SupportAccessGrant>(new CommandDefinition(
            sql, new { userId, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: cancellationToken));
        return [.. grants];
    }

    /// <summary>False when the grant is unknown or another user's (ownership lives in the query). Revoking twice keeps the first time.</summary>
    public async Task<bool> RevokeAsync(Guid userId, long grantId, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE support_access_grants SET revoked_at = COALESCE(revoked_at, @now)
            WHERE id = @grantId AND user_id = @userId
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            sql, new { userId, grantId, now = clock.GetUtcNow().UtcDateTime }, cancellationToken: cancellationToken));
        return updated == 1;
    }
}
