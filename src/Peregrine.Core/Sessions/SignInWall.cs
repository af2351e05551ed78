using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

/// <summary>
/// The 401 a cloud request without a valid session gets (upstream's auth wall): problem+json carrying the sign-in
/// URL for API clients, a small HTML page with the same link for a browser, and in both cases a
/// <c>WWW-Authenticate</c> challenge. The scheme is our own, <c>CfSession</c>, because the credential is the
/// <c>cf_session</c> cookie, not an <c>Authorization: Bearer</c> header (which is never read).
/// </summary>
public sealed class SignInWall(string detail, string signInUrl, bool invalidToken) : IResult
{
    public const string MissingDetail = "Please sign in to access Peregrine.";
    public const string ExpiredDetail = "Your session has expired. Please sign in again.";
    public const string ErasedDetail = "This account was erased. Sign in again to start a new, empty account.";
    public const string SignInUrlMember = "sign_in_url";

    public static SignInWall Missing(string signInUrl) => new(MissingDetail, signInUrl, invalidToken: false);

    public static SignInWall Expired(string signInUrl) => new(ExpiredDetail, signInUrl, invalidToken: true);

    /// <summary>A session issued before the account was erased: it must not bring the account back.</summary>
    public static SignInWall Erased(string signInUrl) => new(ErasedDetail, signInUrl, invalidToken: true);

    public string Detail => detail;

    public string SignInUrl => signInUrl;

    /// <summary>The same refusal pointing elsewhere (the browser UI's developer sign-in in Development).</summary>
    public SignInWall WithSignInUrl(string url) => new(detail, url, invalidToken);

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.WWWAuthenticate = Challenge();
        if (WantsHtml(httpContext.Request))
        {
            httpContext.Response.StatusCode = StatusCodes.Status401Unauthorized;
            httpContext.Response.ContentType = "text/html; charset=utf-8";
            var pathBase = httpContext.RequestServices.GetService<IOptions<PeregrineOptions>>()?.Value.PathBase ?? string.Empty;
            await httpContext.Response.WriteAsync(Page(pathBase), httpContext.RequestAborted);
            return;
        }

        await TypedResults.Problem(
            detail: detail,
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Sign-in required",
            extensions: new Dictionary<string, object?> { [SignInUrlMember] = signInUrl }).ExecuteAsync(httpContext);
    }

    private string Challenge() =>
        $"CfSession realm=\"peregrine\", sign_in_url=\"{signInUrl}\"" + (invalidToken ? ", error=\"invalid_token\"" : string.Empty);

    private static bool WantsHtml(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(accept => accept.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    /// <summary>Styled by the app's stylesheet, never inline: the page's own policy allows no inline style.</summary>
    private string Page(string pathBase)
    {
        var url = WebUtility.HtmlEncode(signInUrl);
        var root = WebUtility.HtmlEncode(pathBase + "/");
        return $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in — Peregrine</title>
            <link rel="stylesheet" href="{root}_content/Peregrine.Web/site.css"></head>
            <body>
            <main class="sign-in">
            <h1>Peregrine</h1>
            <p>🔒 {WebUtility.HtmlEncode(detail)}</p>
            <p><a class="button" href="{url}">Sign in to CircuitForge</a></p>
            </main>
            </body>
            </html>
            """;
    }
}
