using Microsoft.AspNetCore.Http.HttpResults;
using Peregrine.Api.Platform;
using Peregrine.Sessions;

namespace Peregrine.Api.Privacy;

/// <summary>
/// Settings → Privacy: <c>GET/PUT /{app}/api/settings/privacy</c> over <c>telemetry_consent</c>, and temporary support
/// access grants. Local (self-hosted) mode sends no telemetry: the settings read as off and cannot be changed.
/// </summary>
public static class PrivacyApi
{
    private const int MaxTicketRefLength = 100;

    public static RouteGroupBuilder MapPrivacy(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/settings/privacy").RequireUser().ReportsPlatformOutages().WithTags("Privacy");
        group.MapGet("/", GetPrivacy).WithName("GetPrivacy").WithSummary("The user's telemetry consent");
        group.MapPut("/", UpdatePrivacy).WithName("UpdatePrivacy").WithSummary("Change some of master_off, usage_events, content_sharing, support_access");
        group.MapPost("/support-access", GrantSupportAccess).WithName("GrantSupportAccess").WithSummary("Grant support access for 4, 8, 24, 48 or 72 hours");
        group.MapGet("/support-access", ListSupportAccess).WithName("ListSupportAccess").WithSummary("Active (unexpired, unrevoked) grants");
        group.MapDelete("/support-access/{id:long}", RevokeSupportAccess).WithName("RevokeSupportAccess").WithSummary("Revoke a grant");
        return group;
    }

    public static async Task<Ok<PrivacySettings>> GetPrivacy(UserContext user, ConsentStore consent, CancellationToken cancellationToken) =>
        TypedResults.Ok(user.IsCloud
            ? await consent.GetAsync(Guid.Parse(user.UserId), cancellationToken)
            : new PrivacySettings(MasterOff: false, UsageEvents: false, ContentSharing: false, SupportAccess: false, ReadOnly: true));

    public static async Task<Results<Ok<PrivacySettings>, ProblemHttpResult>> UpdatePrivacy(
        PrivacyChange? change, UserContext user, ConsentStore consent, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return ReadOnlyInLocalMode();
        }

        if (change is null || change.IsEmpty)
        {
            return TypedResults.Problem(
                title: "Nothing to change",
                detail: "Send at least one of master_off, usage_events, content_sharing, support_access (true or false).",
                statusCode: StatusCodes.Status400BadRequest);
        }

        return TypedResults.Ok(await consent.UpdateAsync(Guid.Parse(user.UserId), change, cancellationToken));
    }

    public static async Task<Results<Created<SupportAccessGrant>, ProblemHttpResult>> GrantSupportAccess(
        SupportAccessRequest? request, UserContext user, SupportAccessGrants grants, HttpContext http, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return ReadOnlyInLocalMode();
        }

        if (GrantProblem(request) is { } problem)
        {
            return TypedResults.Problem(title: problem.Title, detail: problem.Detail, statusCode: StatusCodes.Status400BadRequest);
        }

        var grant = await grants.CreateAsync(Guid.Parse(user.UserId), request!.Hours!.Value, TicketRef(request), cancellationToken);
        return TypedResults.Created($"{http.Request.PathBase}{http.Request.Path}/{grant.Id}", grant);
    }

    public static async Task<Ok<IReadOnlyList<SupportAccessGrant>>> ListSupportAccess(UserContext user, SupportAccessGrants grants, CancellationToken cancellationToken) =>
        TypedResults.Ok(user.IsCloud ? await grants.ListActiveAsync(Guid.Parse(user.UserId), cancellationToken) : []);

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeSupportAccess(
        long id, UserContext user, SupportAccessGrants grants, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return ReadOnlyInLocalMode();
        }

        return await grants.RevokeAsync(Guid.Parse(user.UserId), id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "No such grant", detail: $"You have no support access grant {id}.", statusCode: StatusCodes.Status404NotFound);
    }

    /// <summary>What is wrong with a grant request (title, detail), or null; the Privacy page checks the same rules.</summary>
    public static (string Title, string Detail)? GrantProblem(SupportAccessRequest? request)
    {
        if (request?.Hours is not { } hours || !SupportAccessGrants.AllowedHours.Contains(hours))
        {
            return ("Invalid duration", $"hours must be one of {string.Join(", ", SupportAccessGrants.AllowedHours)}.");
        }

        var ticketRef = TicketRef(request);
        // Control characters (NUL among them, which Postgres refuses in text) are bad input, not a platform outage.
        return ticketRef?.Length > MaxTicketRefLength || ticketRef?.Any(char.IsControl) == true
            ? ("Invalid ticket reference", $"ticket_ref is at most {MaxTicketRefLength} characters, without control characters.")
            : null;
    }

    public static string? TicketRef(SupportAccessRequest request) =>
        string.IsNullOrWhiteSpace(request.TicketRef) ? null : request.TicketRef.Trim();

    public const string ReadOnlyDetail = "Self-hosted Peregrine sends no telemetry and grants no support access, so there is nothing to change.";

    private static ProblemHttpResult ReadOnlyInLocalMode() => TypedResults.Problem(
        title: "Privacy settings are read-only in local mode", detail: ReadOnlyDetail, statusCode: StatusCodes.Status409Conflict);
}

public sealed record SupportAccessRequest(int? Hours, string? TicketRef);
