using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Peregrine.Sessions;

/// <summary>
/// Finds the Directus session token in a request by upstream's rules: the bastion copies
/// the browser's whole Cookie header into <c>X-CF-Session</c>; the plain <c>Cookie</c> header is read only when
/// <c>X-CF-Session</c> is absent or empty (direct access in development and tests).
/// </summary>
public static partial class SessionToken
{
    public const string CookieName = "cf_session";
    public const string ForwardedHeader = "X-CF-Session";

    /// <summary>The token, or <c>""</c> when the request carries none.</summary>
    public static string From(HttpRequest request)
    {
        var forwarded = request.Headers[ForwardedHeader].ToString();
        return FromHeaders(forwarded, request.Headers.Cookie.ToString());
    }

    /// <summary>
    /// A present but token-less <c>X-CF-Session</c> does not fall back to <c>Cookie</c>: the bastion's copy is the
    /// browser's truth, and a second source would let a client smuggle a different cookie past it.
    /// </summary>
    public static string FromHeaders(string? forwardedSession, string? cookie) =>
        FromHeaderValue(string.IsNullOrEmpty(forwardedSession) ? cookie : forwardedSession);

    /// <summary>
    /// First <c>cf_session=</c> after the start or a <c>;</c>, up to the next <c>;</c>, trimmed. Not URL-decoded,
    /// and a header without the name yields nothing: a bare token is never accepted.
    /// </summary>
    public static string FromHeaderValue(string? header)
    {
        if (string.IsNullOrEmpty(header))
        {
            return string.Empty;
        }

        var match = CookiePattern().Match(header);
        return match.Success ? match.Groups[1].Value.Trim() : string.Empty;
    }

    [GeneratedRegex(@"(?:^|;)\s*cf_session=([^;]+)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex CookiePattern();
}
