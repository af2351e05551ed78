using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Peregrine.Security;

/// <summary>
/// Refuses state changes a browser makes for another site (CSRF: the session is a cookie, so any page the victim
/// visits can make their browser send it). OWASP's order: Fetch Metadata first — <c>Sec-Fetch-Site</c> must be
/// <c>same-origin</c> or <c>none</c> (typed by the user); <c>same-site</c> is refused too, because a sibling subdomain
/// (a marketing site, a docs host) is a weaker trust zone than the app, and every legitimate form, the coming UI's
/// included, is served from the app's own origin. A browser without Fetch Metadata still sends <c>Origin</c>, which
/// must then be the app's own (scheme, host and port) or a configured one. A request with neither header is not a
/// browser acting for another site (curl, scripts, server-to-server) and passes.
/// </summary>
internal sealed partial class CrossSiteRequestGuard(RequestDelegate next, IOptions<CrossSiteOptions> options, ILogger<CrossSiteRequestGuard> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method) || HttpMethods.IsTrace(request.Method))
        {
            await next(context);
            return;
        }

        var refusal = Refusal(request);
        if (refusal is null)
        {
            await next(context);
            return;
        }

        LogRefused(logger, request.Method, request.Path, refusal);
        await TypedResults.Problem(
            title: "Cross-site request refused",
            detail: "This change was requested by another site. Peregrine accepts changes only from its own pages.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
    }

    /// <summary>Why the request is refused, or null.</summary>
    private string? Refusal(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0)
        {
            return site is "same-origin" or "none" ? null : $"Sec-Fetch-Site: {site}";
        }

        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return null;
        }

        return IsOwnOrigin(request, origin) || options.Value.TrustedOrigins.Any(trusted => SameOrigin(origin, trusted))
            ? null
            : "Origin is not the app's own";
    }

    private bool IsOwnOrigin(HttpRequest request, string origin)
    {
        // Behind a TLS-terminating proxy the request arrives as http; its scheme is believed only when configured.
        var scheme = options.Value.TrustForwardedProto && request.Headers["X-Forwarded-Proto"].ToString() is { Length: > 0 } forwarded
            ? forwarded.Split(',')[0].Trim()
            : request.Scheme;
        return request.Host.HasValue && SameOrigin(origin, $"{scheme}://{request.Host.Value}");
    }

    /// <summary>Scheme, host and port compared as an origin (RFC 6454): default ports are implied, case is ignored, paths are not allowed.</summary>
    internal static bool SameOrigin(string origin, string expected) =>
        Parse(origin) is { } a && Parse(expected) is { } b
        && string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private static Uri? Parse(string origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/"
            && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.UserInfo)
            ? uri
            : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Cross-site {Method} {Path} refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string method, PathString path, string reason);
}

/// <summary>Configuration section <c>CrossSite</c> (<c>CrossSite__TrustedOrigins__0=https://circuitforge.tech</c>).</summary>
public sealed class CrossSiteOptions
{
    public const string Section = "CrossSite";

    /// <summary>Origins besides the request's own whose pages may change state: the public origin when TLS ends in front of the bastion.</summary>
    public string[] TrustedOrigins { get; set; } = [];

    /// <summary>Take the request's scheme from <c>X-Forwarded-Proto</c> (only when the proxy in front sets it and strips the client's).</summary>
    public bool TrustForwardedProto { get; set; }
}
