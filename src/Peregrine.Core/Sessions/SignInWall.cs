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
    public const string ErasedDetail = "This account was erased. Sign in again to start a new, empty account.";
    public const string SignInUrlMember = "sign_in_url";

    public static SignInWall Missing(string signInUrl) => new(MissingDetail, signInUrl, invalidToken: false);

    public static SignInWall Expired(string signInUrl) => new(ExpiredDetail, signInUrl, invalidToken: true);

    /// <summary>A session issued before the account was erased: it must not bring the account back.</summary>
    public static SignInWall Erased(string signInUrl) => new(ErasedDetail, signInUrl, invalidToken: true);

    public string Detail => detail;

    public string SignInUrl => signInUrl;

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
            <head><meta charset="utf-8"><title>Sign in — Peregrine</title></head>
            <body style="font-family: sans-serif; max-width: 28rem; margin: 4rem auto; text-align: center">
            <h1>🦅 Peregrine</h1>
            <p>🔒 {WebUtility.HtmlEncode(detail)}</p>
            <p><a href="{url}">Sign in to CircuitForge</a></p>
            </body>
            </html>
            """;
    }
}
