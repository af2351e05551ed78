using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Peregrine.DevTools;

/// <summary>
/// Development-only helpers for the AppHost dashboard, where no Directus exists. Mapped only when the host
/// environment is Development, so a cloud deployment (Production) cannot expose them.
/// </summary>
public static class DevToolsApi
{
    public static RouteGroupBuilder MapDevTools(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/dev").ExcludeFromDescription();
        // Shows what the bastion forwarded, to check the Cookie → X-CF-Session copy end to end.
        group.MapGet("/forwarded-session", GetForwardedSession);
        return group;
    }

    public static Ok<ForwardedSession> GetForwardedSession(HttpRequest request) =>
        TypedResults.Ok(new ForwardedSession(
            XCfSession: request.Headers["X-CF-Session"].ToString(),
            Cookie: request.Headers.Cookie.ToString()));
}

public sealed record ForwardedSession(string XCfSession, string Cookie);
