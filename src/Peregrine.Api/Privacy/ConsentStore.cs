using Dapper;
using Microsoft.Extensions.Options;
using Peregrine.Api.Platform;
using Peregrine.Api.Telemetry;
using Peregrine.Configuration;

namespace Peregrine.Api.Privacy;

/// <summary>The one consent store (upstream had two): <c>telemetry_consent</c>, under upstream's API names.</summary>
public sealed record PrivacySettings(bool MasterOff, bool UsageEvents, bool ContentSharing, bool SupportAccess, bool ReadOnly);

/// <summary>A PUT body: only the fields present change (upstream's whitelisted <c>update_consent</c>).</summary>
public sealed record PrivacyChange(bool? MasterOff, bool? UsageEvents, bool? ContentSharing, bool? SupportAccess)
{
    public bool IsEmpty => MasterOff is null && UsageEvents is null && ContentSharing is null && SupportAccess is null;
}

public sealed class ConsentStore(PlatformDb platform, IOptions<TelemetryOptions> telemetry, IOptions<PeregrineOptions> options)
{
    /// <summary>The user's consent; the onboarding defaults when they never changed it (as the telemetry writer assumes).</summary>
    public async Task<PrivacySettings> GetAsync(Guid userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT all_disabled, usage_events_enabled, content_sharing_enabled, support_access_enabled
            FROM telemetry_consent WHERE user_id = @userId
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<(bool, bool, bool, bool)?>(new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
        return row is var (masterOff, usage, content, support)
            ? new PrivacySettings(masterOff, usage, content, support, ReadOnly: false)
            : new PrivacySettings(false, telemetry.Value.UsageEventsByDefault, telemetry.Value.ContentSharingByDefault, false, ReadOnly: false);
    }

    /// <summary>Upserts exactly the given columns (others keep their value, or the onboarding default on insert); <c>updated_at = now()</c>.</summary>
    public async Task<PrivacySettings> UpdateAsync(Guid userId, PrivacyChange change, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO telemetry_consent AS c
                (user_id, all_disabled, usage_events_enabled, content_sharing_enabled, support_access_enabled, updated_at)
            VALUES (@UserId, COALESCE(@MasterOff, false), COALESCE(@UsageEvents, @UsageEventsByDefault),
                    COALESCE(@ContentSharing, @ContentSharingByDefault), COALESCE(@SupportAccess, false), now())
            ON CONFLICT (user_id) DO UPDATE SET
                all_disabled = COALESCE(@MasterOff, c.all_disabled),
                usage_events_enabled = COALESCE(@UsageEvents, c.usage_events_enabled),
                content_sharing_enabled = COALESCE(@ContentSharing, c.content_sharing_enabled),
                support_access_enabled = COALESCE(@SupportAccess, c.support_access_enabled),
                updated_at = now()
            RETURNING all_disabled, usage_events_enabled, content_sharing_enabled, support_access_enabled
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await SubscriptionRegistry.EnsureAsync(connection, transaction, options.Value.App, [userId], cancellationToken);
        var (masterOff, usage, content, support) = await connection.QuerySingleAsync<(bool, bool, bool, bool)>(new CommandDefinition(
            sql,
            new
            {
                UserId = userId,
                change.MasterOff,
                change.UsageEvents,
                change.ContentSharing,
                change.SupportAccess,
                telemetry.Value.UsageEventsByDefault,
                telemetry.Value.ContentSharingByDefault,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return new PrivacySettings(masterOff, usage, content, support, ReadOnly: false);
    }
}
