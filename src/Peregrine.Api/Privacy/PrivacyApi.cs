using Microsoft.AspNetCore.Http.HttpResults;
using Peregrine.Api.Platform;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Api.Privacy;

/// <summary>
/// Settings → Privacy: <c>GET/PUT /{app}/api/settings/privacy</c> over <c>telemetry_consent</c>, and temporary support
/// access grants, through <see cref="PrivacyService"/>.
/// </summary>
public static class PrivacyApi
{
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

    public static async Task<Ok<PrivacySettings>> GetPrivacy(UserContext user, PrivacyService privacy, CancellationToken cancellationToken) =>
        TypedResults.Ok(await privacy.GetAsync(user, cancellationToken));

    public static async Task<Results<Ok<PrivacySettings>, ProblemHttpResult>> UpdatePrivacy(
        PrivacyChange? change, UserContext user, PrivacyService privacy, CancellationToken cancellationToken) =>
        (await privacy.UpdateAsync(user, change, cancellationToken)).ToResult(TypedResults.Ok);

    public static async Task<Results<Created<SupportAccessGrant>, ProblemHttpResult>> GrantSupportAccess(
        SupportAccessRequest? request, UserContext user, PrivacyService privacy, HttpRequest http, CancellationToken cancellationToken) =>
        (await privacy.GrantAsync(user, request, cancellationToken)).ToResult(grant => TypedResults.Created($"{http.PathBase}{http.Path}/{grant.Id}", grant));

    public static async Task<Ok<IReadOnlyList<SupportAccessGrant>>> ListSupportAccess(UserContext user, PrivacyService privacy, CancellationToken cancellationToken) =>
        TypedResults.Ok(await privacy.ListGrantsAsync(user, cancellationToken));

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeSupportAccess(
        long id, UserContext user, PrivacyService privacy, CancellationToken cancellationToken) =>
        await privacy.RevokeAsync(user, id, cancellationToken) is { } refused ? Problems.From(refused) : TypedResults.NoContent();
}

public sealed record SupportAccessRequest(int? Hours, string? TicketRef);
