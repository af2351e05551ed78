using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Api.Privacy;

/// <summary>
/// Settings → Privacy, for <see cref="PrivacyApi"/> and the Privacy page alike: telemetry consent and temporary support
/// access grants. Local (self-hosted) mode sends no telemetry: its settings read as off, and every change is refused.
/// </summary>
public sealed class PrivacyService(ConsentStore consent, SupportAccessGrants grants)
{
    public const int MaxTicketRefLength = 100;

    public static readonly Refusal ReadOnlyInLocalMode = Refusal.Conflict(
        "Self-hosted Peregrine sends no telemetry and grants no support access, so there is nothing to change.",
        "Privacy settings are read-only in local mode");

    private static readonly PrivacySettings LocalSettings = new(MasterOff: false, UsageEvents: false, ContentSharing: false, SupportAccess: false, ReadOnly: true);

    public async Task<PrivacySettings> GetAsync(UserContext user, CancellationToken cancellationToken) =>
        user.IsCloud ? await consent.GetAsync(Guid.Parse(user.UserId), cancellationToken) : LocalSettings;

    /// <summary>Changes the fields the request names; the others keep their value.</summary>
    public async Task<Outcome<PrivacySettings>> UpdateAsync(UserContext user, PrivacyChange? change, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return ReadOnlyInLocalMode;
        }

        if (change is null || change.IsEmpty)
        {
            return Refusal.BadRequest(
                "Send at least one of master_off, usage_events, content_sharing, support_access (true or false).", "Nothing to change");
        }

        return await consent.UpdateAsync(Guid.Parse(user.UserId), change, cancellationToken);
    }

    /// <summary>A grant for one of <see cref="SupportAccessGrants.AllowedHours"/>, with an optional ticket reference.</summary>
    public async Task<Outcome<SupportAccessGrant>> GrantAsync(UserContext user, SupportAccessRequest? request, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return ReadOnlyInLocalMode;
        }

        if (request?.Hours is not { } hours || !SupportAccessGrants.AllowedHours.Contains(hours))
        {
            return Refusal.BadRequest($"hours must be one of {string.Join(", ", SupportAccessGrants.AllowedHours)}.", "Invalid duration");
        }

        var ticketRef = string.IsNullOrWhiteSpace(request.TicketRef) ? null : request.TicketRef.Trim();
        // Control characters (NUL among them, which Postgres refuses in text) are bad input, not a platform outage.
        if (ticketRef?.Length > MaxTicketRefLength || ticketRef?.Any(char.IsControl) == true)
        {
            return Refusal.BadRequest(
                $"ticket_ref is at most {MaxTicketRefLength} characters, without control characters.", "Invalid ticket reference");
        }

        return await grants.CreateAsync(Guid.Parse(user.UserId), hours, ticketRef, cancellationToken);
    }

    /// <summary>Active (unexpired, unrevoked) grants; none in local mode.</summary>
    public async Task<IReadOnlyList<SupportAccessGrant>> ListGrantsAsync(UserContext user, CancellationToken cancellationToken) =>
        user.IsCloud ? await grants.ListActiveAsync(Guid.Parse(user.UserId), cancellationToken) : [];

    /// <summary>Null when revoked (revoking twice keeps the first time); refused when the grant is not the caller's.</summary>
    public async Task<Refusal?> RevokeAsync(UserContext user, long grantId, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return ReadOnlyInLocalMode;
        }

        return await grants.RevokeAsync(Guid.Parse(user.UserId), grantId, cancellationToken)
            ? null
            : Refusal.NotFound($"You have no support access grant {grantId}.", "No such grant");
    }
}
