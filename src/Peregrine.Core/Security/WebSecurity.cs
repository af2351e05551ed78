using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
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

    public static IServiceCollection AddWebSecurity(this IServiceCollection services)
    {
        services.AddOptions<CrossSiteOptions>().BindConfiguration(CrossSiteOptions.Section);
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
        app.Use((context, next) =>
        {
            // No response is ever to be reinterpreted by the browser as another content type (an upload echoed as HTML);
            // set when the response starts, because the exception handler clears headers set before it.
            context.Response.OnStarting(static state =>
            {
                ((HttpResponse)state).Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
        return app.UseMiddleware<CrossSiteRequestGuard>();
    }
}
