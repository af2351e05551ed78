using Peregrine.Sessions;

namespace Peregrine.Demo.Sandboxes;

/// <summary>
/// The demo's <see cref="IUserContextResolver"/>: the request acts for its visitor's sandbox, so every per-user endpoint,
/// page and task works on that copy unchanged. A request without a valid visitor cookie becomes a new visitor (a
/// <c>cf_session</c> cookie means nothing here: the demo knows no accounts). Resolved once per request, so the API
/// and the UI's authentication handler agree on one visitor even for the very first request.
/// </summary>
public sealed class DemoVisitorResolver(VisitorCookie cookie, DemoSandboxes sandboxes, NewVisitorLimiter newVisitors) : IUserContextResolver
{
    private static readonly object ResolutionKey = new();

    public async ValueTask<UserResolution> ResolveAsync(HttpContext context)
    {
        if (context.Items.TryGetValue(ResolutionKey, out var known) && known is UserResolution resolution)
        {
            return resolution;
        }

        resolution = await ResolveOnceAsync(context);
        context.Items[ResolutionKey] = resolution;
        return resolution;
    }

    private async ValueTask<UserResolution> ResolveOnceAsync(HttpContext context)
    {
        var visitorId = cookie.Read(context.Request);
        if (visitorId is null)
        {
            if (!newVisitors.TryAdmit(context))
            {
                return UserResolution.Refused(DemoProblems.TooManyRequests(NewVisitorLimiter.Refusal));
            }

            visitorId = VisitorCookie.NewVisitorId();
            cookie.Write(context, visitorId);
        }

        var method = context.Request.Method;
        var writes = !(HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method));
        var lease = await sandboxes.EnterAsync(visitorId, writes, context.RequestAborted);
        context.Response.RegisterForDispose(lease);
        context.Response.Headers.CacheControl = "no-store";
        return UserResolution.For(lease.User);
    }
}
