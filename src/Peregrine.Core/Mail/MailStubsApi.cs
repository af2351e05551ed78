using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Peregrine.Sessions;

namespace Peregrine.Mail;

/// <summary>
/// No mail integration runs here yet, but upstream's SPA polls these two and must see "nothing", not a 404: an empty
/// digest queue and an idle mail sync.
/// </summary>
public static class MailStubsApi
{
    public static IEndpointRouteBuilder MapMailStubs(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api").RequireUser().WithTags("Mail").MapGet("/digest-queue", () => TypedResults.Ok(Array.Empty<object>())).WithName("GetDigestQueue");
        routes.MapGroup("/api/email").RequireUser().WithTags("Mail")
            .MapGet("/sync/status", () => TypedResults.Ok(new EmailSyncStatus("idle", null, null))).WithName("GetEmailSyncStatus");
        return routes;
    }
}

public sealed record EmailSyncStatus(string Status, string? LastCompletedAt, string? Error);
