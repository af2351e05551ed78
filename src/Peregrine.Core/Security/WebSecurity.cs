using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Peregrine.Security;

/// <summary>What every response and every state change gets, whatever the feature: CSRF refusal, headers, Kestrel limits.</summary>
public static class WebSecurity
{
    /// <summary>
    /// The bastion sends the browser's cookies twice (<c>Cookie</c> and its copy <c>X-CF-Session</c>), so the header
    /// budget is twice what a browser may send, with room: Kestrel's 32 KB default already failed (431) at 16 KB of
    /// ordinary cookies. HTTP/2 limits one field (a Cookie header) separately, 16 KB by default.
    /// </summary>
    public const int MaxRequestHeadersTotalBytes = 128 * 1024;
    public const int MaxRequestHeaderFieldBytes = 64 * 1024;

    /// <summary>
    /// The policy of every HTML response. Pages are server-rendered and need no inline script or style (the only script
    /// is a file in <c>wwwroot</c>), so nothing but the app's own files may run or style them; no other site may frame
    /// them (the clickjacking of "Grant support access"), and forms post only to the app.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>Features the app never uses, switched off for its pages and anything they could embed.</summary>
    public const string PermissionsPolicy =
        "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        + "midi=(), payment=(), usb=(), xr-spatial-tracking=()";

    public static IServiceCollection AddWebSecurity(this IServiceCollection services)
    {
        services.AddOptions<CrossSiteOptions>().BindConfiguration(CrossSiteOptions.Section);
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(string.Empty)
            .Validate(o => TrustedProxies.TryParse(o.Entries, out _, out _) is null, "TRUSTED_PROXIES holds an entry that is not an IP address, a network, private_ranges or a host name");
        services.AddSingleton<TrustedProxies>();
        services.AddHostedService(sp => sp.GetRequiredService<TrustedProxies>());
        // The framework's own handling (on for any peer when ASPNETCORE_FORWARDEDHEADERS_ENABLED is set, as container
        // publishing does) would believe whoever connects; TrustedProxies alone decides.
        services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.None);
        // Secure whenever the browser's side is HTTPS (as a trusted proxy reports it); the framework's default never is.
        services.Configure<AntiforgeryOptions>(o => o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest);
        services.Configure<KestrelServerOptions>(kestrel =>
        {
            // The bastion in front sends its own Server header; a second one only advertises the stack.
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestHeadersTotalSize = MaxRequestHeadersTotalBytes;
            kestrel.Limits.Http2.MaxRequestHeaderFieldSize = MaxRequestHeaderFieldBytes;
        });
        return services;
    }

    public static IApplicationBuilder UseWebSecurity(this IApplicationBuilder app)
    {
        var proxies = app.ApplicationServices.GetRequiredService<TrustedProxies>();
        app.Use((context, next) =>
        {
            // First: every later step (rate limits, cookies, the cross-site guard) sees the client, not the bastion.
            proxies.Apply(context);
            // No response is ever to be reinterpreted by the browser as another content type (an upload echoed as HTML),
            // and every page carries its policy; set when the response starts, because the exception handler clears
            // headers set before it, and only then is the content type known.
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                response.Headers.XContentTypeOptions = "nosniff";
                if (response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
                {
                    response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
                    response.Headers.XFrameOptions = "DENY";
                    response.Headers["Referrer-Policy"] = "same-origin";
                    response.Headers["Permissions-Policy"] = PermissionsPolicy;
                }

                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        return app.UseMiddleware<CrossSiteRequestGuard>();
    }
}
