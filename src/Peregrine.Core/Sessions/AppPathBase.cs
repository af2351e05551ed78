using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

public static class AppPathBase
{
    // /internal: calls between shards and from the operator's commands, which the bastion never routes (only /{app}).
    private static readonly PathString[] RootPaths = ["/health", "/alive", "/internal"];

    /// <summary>
    /// Everything but the health probes and the shards' internal calls lives under <c>/{app}</c> (<see cref="PeregrineOptions.PathBase"/>). A path base
    /// rather than a route group, because Razor components cannot be mapped inside a group ("Unable to find the provided
    /// template"); the guard keeps <c>/api/…</c> without the prefix a 404, as it was when the routes were a group.
    /// Routing, authorization and antiforgery come after it, so they see the app-relative path.
    /// </summary>
    public static WebApplication UseAppPathBase(this WebApplication app)
    {
        app.UsePathBase(app.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value.PathBase);
        app.Use((context, next) =>
        {
            if (!context.Request.PathBase.HasValue && !RootPaths.Any(p => context.Request.Path.StartsWithSegments(p)))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            // The UI's relative links need the trailing slash: /peregrine → /peregrine/.
            if (context.Request.Path == PathString.Empty && HttpMethods.IsGet(context.Request.Method))
            {
                context.Response.Redirect(context.Request.PathBase + "/" + context.Request.QueryString);
                return Task.CompletedTask;
            }

            return next(context);
        });
        return app;
    }
}
