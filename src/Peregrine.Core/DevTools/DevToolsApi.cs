using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.DevTools;

/// <summary>
/// Development-only helpers for the AppHost dashboard, where no Directus exists. Mapped only when the host
/// environment is Development, so a cloud deployment (Production) cannot expose them.
/// </summary>
public static class DevToolsApi
{
    /// <summary>The user the developer sign-in picks when none is named.</summary>
    public const string DefaultDevUser = "00000000-0000-4000-8000-000000000001";

    public static RouteGroupBuilder MapDevTools(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/dev").ExcludeFromDescription();
        // Shows what the bastion forwarded, to check the Cookie → X-CF-Session copy end to end.
        group.MapGet("/forwarded-session", GetForwardedSession);
        group.MapGet("/sign-in", SignIn);
        return group;
    }

    public static Ok<ForwardedSession> GetForwardedSession(HttpRequest request) =>
        TypedResults.Ok(new ForwardedSession(
            XCfSession: request.Headers["X-CF-Session"].ToString(),
            Cookie: request.Headers.Cookie.ToString()));

    /// <summary>
    /// Signs the browser in as <paramref name="user"/> the way Directus would: a session token signed with the
    /// configured <c>DIRECTUS_JWT_SECRET</c> in the <c>cf_session</c> cookie, then back to the page the sign-in wall
    /// came from (<paramref name="next"/>), or the app's home page.
    /// </summary>
    public static Results<RedirectHttpResult, ProblemHttpResult> SignIn(
        string? user, string? next, HttpResponse response, IOptions<PeregrineOptions> options, IOptions<DirectusSessionOptions> sessionOptions, TimeProvider time)
    {
        var settings = options.Value;
        if (!settings.CloudMode)
        {
            return TypedResults.Problem(detail: "Local mode has no sessions: every request is the local user.", statusCode: StatusCodes.Status400BadRequest);
        }

        var userId = DirectusSessionValidator.CanonicalUserId(user ?? DefaultDevUser);
        if (userId is null)
        {
            return TypedResults.Problem(detail: "The user must be a UUID.", statusCode: StatusCodes.Status400BadRequest);
        }

        var (token, expires) = DevSessionToken.Mint(userId, settings.DirectusJwtSecret!, sessionOptions.Value.Issuer, time);
        response.Cookies.Append(SessionToken.CookieName, token, new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Lax,
            Path = "/",
            Expires = expires,
        });
        // Only back into this app (the sign-in wall's link), never to another origin.
        var backToApp = next is not null && next.StartsWith(settings.PathBase + "/", StringComparison.Ordinal)
            && !next.Contains("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal);
        return TypedResults.Redirect(backToApp ? next! : $"{settings.PathBase}/");
    }
}

public sealed record ForwardedSession(string XCfSession, string Cookie);
