using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

/// <summary><c>GET /{app}/api/session</c>: who the request acts for. The first call of a new user provisions their tree.</summary>
public static class SessionApi
{
    public static RouteGroupBuilder MapSession(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/session").RequireUser();
        group.MapGet("/", GetSession).WithName("GetSession");
        return group;
    }

    public static async Task<Ok<SessionResponse>> GetSession(
        UserContext user, ITierSource tiers, IOptions<PeregrineOptions> options, CancellationToken cancellationToken) =>
        TypedResults.Ok(new SessionResponse(
            user.UserId,
            user.App,
            user.IsCloud || options.Value.DemoMode ? await tiers.GetTierAsync(user.UserId, cancellationToken) : "local",
            user.IsCloud));
}

public sealed record SessionResponse(string UserId, string App, string Tier, bool IsCloud);
