using System.Net;
using Microsoft.AspNetCore.Http;

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
    public const string SignInUrlMember = "sign_in_url";

    public static SignInWall Missing(string signInUrl) => new(MissingDetail, signInUrl, invalidToken: false);

    public static SignInWall Expired(string signInUrl) => new(ExpiredDetail, signInUrl, invalidToken: true);

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
            await httpContext.Response.WriteAsync(Page(), httpContext.RequestAborted);
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

    private string Page()
    {
        var url = WebUtility.HtmlEncode(signInUrl);
        return $"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in — Peregrine</title></head>
            <body style="margin: 0; font-family: system-ui, sans-serif; background: #f6f7f9; color: #1c2430">
            <main style="max-width: 28rem; margin: 4rem auto; padding: 2rem; text-align: center; background: #fff; border: 1px solid #d5dae1; border-radius: 0.5rem">
            <h1>Peregrine</h1>
            <p>🔒 {WebUtility.HtmlEncode(detail)}</p>
            <p><a href="{url}" style="display: inline-block; padding: 0.6rem 1.2rem; border-radius: 0.35rem; background: #1d4f91; color: #fff; font-weight: 600; text-decoration: none">Sign in to CircuitForge</a></p>
            </main>
            </body>
            </html>
            """;
    }
}
