using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

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

    // The platform issue supplies the cloud tier; until then every cloud user is on the free tier.
    public static Ok<SessionResponse> GetSession(UserContext user) =>
        TypedResults.Ok(new SessionResponse(user.UserId, user.App, user.IsCloud ? "free" : "local", user.IsCloud));
}

public sealed record SessionResponse(string UserId, string App, string Tier, bool IsCloud);
