using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Peregrine.Api.Platform;
using Peregrine.Security;
using Peregrine.Sessions;
using Yarp.ReverseProxy.Forwarder;

namespace Peregrine.Api.Shards;

/// <summary>
/// Any shard takes any request: one for a user whose home is another shard goes there whole (method, headers, body,
/// streamed both ways) through YARP's forwarder, before anything here opens a user DB or renders a page. A request
/// without a valid session stays here: the sign-in wall is the same on every shard. A shard that cannot reach the
/// owner answers 503 "temporarily unavailable", and never serves (or creates) another shard's user itself.
/// </summary>
internal sealed partial class ShardRouter(
    RequestDelegate next,
    DirectusSessionValidator sessions,
    UserShardMap homes,
    ShardDirectory shards,
    Moves.MovePauses pauses,
    IHttpForwarder forwarder,
    TrustedProxies proxies,
    IProblemDetailsService problems,
    IOptions<ShardOptions> options,
    ILogger<ShardRouter> logger)
{
    /// <summary>Set on a forwarded request (naming the shard that forwarded it), so the receiver never forwards it again.</summary>
    public const string HopHeader = "X-Peregrine-Shard-Hop";

    private readonly string _self = options.Value.Id!;
    private readonly string _retryAfter = Math.Max(1, (int)Math.Ceiling(options.Value.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = options.Value.ConnectTimeout,
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    });

    private const int ReplayableBodyBytes = 1 << 20;

    private readonly ShardHopTransformer _transformer = new(options.Value.Id!);
    private readonly TimeSpan _moveHold = options.Value.MoveHoldTimeout;

    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        var forwardedBy = TakeHopHeader(context);
        if (path.StartsWithSegments("/health") || path.StartsWithSegments("/alive")
            || SessionToken.From(context.Request) is not { Length: > 0 } token
            || await sessions.ValidateSessionAsync(token) is not { } session
            || await homes.IsFromBeforeErasureAsync(session, context.RequestAborted))
        {
            await next(context);
            return;
        }

        if (await LocateAsync(context, session.UserId, lookUpOwner: forwardedBy is null) is not (var home, var owner))
        {
            return;
        }

        if (home == _self)
        {
            IDisposable? served;
            try
            {
                served = await pauses.EnterAsync(session.UserId, _moveHold, context.RequestAborted);
            }
            catch (TimeoutException)
            {
                await UnavailableAsync(context);
                return;
            }

            if (served is not null)
            {
                using (served)
                {
                    await next(context);
                }

                return;
            }

            // The user was moved away while this request waited: the new home serves it, even when another shard sent
            // it here (the new home never forwards a forwarded request, so this adds one hop at most).
            forwardedBy = null;
            if (await LocateAsync(context, session.UserId, lookUpOwner: true) is not { } moved)
            {
                return;
            }

            (home, owner) = moved;
        }

        if (forwardedBy is not null)
        {
            // Two shards disagree about the user's home: serving here would create a second tree, forwarding could loop.
            LogMisdirected(logger, forwardedBy, home);
            await MisdirectedAsync(context);
        }
        else if (owner is null)
        {
            await UnavailableAsync(context);
        }
        else
        {
            await ForwardAsync(context, session.UserId, home, owner);
        }
    }

    /// <summary>The user's home and, when asked and it is another shard, its address (null while it is down); null after answering 503.</summary>
    private async Task<(string Home, Uri? Owner)?> LocateAsync(HttpContext context, string userId, bool lookUpOwner)
    {
        try
        {
            var home = await HomeOfAsync(userId, context.RequestAborted);
            return (home, home != _self && lookUpOwner ? await shards.LiveAddressAsync(home, context.RequestAborted) : null);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // The platform DB or the cluster could not say where the user lives; serving here could create a second tree.
            if (PlatformDb.IsOutage(e) || e is ShardUnavailableException)
            {
                LogNoHome(logger, e.GetType().Name);
            }
            else
            {
                LogHomeLookupFailed(logger, e);
            }

            await UnavailableAsync(context);
            return null;
        }
    }

    /// <summary>
    /// Known users from the map; a user seen for the first time anywhere is placed here, on the live shard with the
    /// fewest users (race-safe in the platform DB). Not through a grain call: after a shard restarts, Orleans takes
    /// a while to forget its old silo, and a grain call meanwhile could wait out its 15 s limit (a new user's 503 in
    /// CI, a test after a restart).
    /// </summary>
    private Task<string> HomeOfAsync(string userId, CancellationToken cancellationToken) => homes.PlaceAsync(userId, cancellationToken);

    private async Task ForwardAsync(HttpContext context, string userId, string home, Uri owner, bool isRetry = false)
    {
        // A body small enough is kept as it is read, so the request can be sent again if the owner turns out to be a
        // former home. A chunked body (no length) is kept too, until it proves larger than that.
        if (!isRetry && HasBody(context.Request) && context.Request.ContentLength is null or <= ReplayableBodyBytes)
        {
            context.Request.Body = new ReplayableBody(context.Request.Body, ReplayableBodyBytes);
        }

        var error = await forwarder.SendAsync(context, owner.ToString(), _client, ForwarderRequestConfig.Empty, _transformer);
        if (error == ForwarderError.None && context.Items.Remove(ShardHopTransformer.RefusedAsNotHome))
        {
            // A move changed the user's home since this shard looked it up (the owner answered 421 and nothing else).
            homes.Forget(userId);
            context.Response.Clear();
            if (!isRetry && TryRewindBody(context.Request) && await LocateAsync(context, userId, lookUpOwner: true) is (var newHome, var newOwner))
            {
                if (newHome == _self)
                {
                    // This shard is the new home (it was the move's target) and learnt it only now: serve it here.
                    await ServeHereAsync(context, userId);
                }
                else if (newOwner is null)
                {
                    await UnavailableAsync(context);
                }
                else
                {
                    await ForwardAsync(context, userId, newHome, newOwner, isRetry: true);
                }

                return;
            }

            await MisdirectedAsync(context);
            return;
        }

        if (error is ForwarderError.None or ForwarderError.RequestCanceled or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient
            || context.Response.HasStarted)
        {
            return; // done, or the client went away, or the owner failed mid-response (YARP has aborted it)
        }

        LogForwardFailed(logger, home, error);
        shards.Forget(home);
        context.Response.Clear();
        await UnavailableAsync(context);
    }

    private async Task ServeHereAsync(HttpContext context, string userId)
    {
        IDisposable? served;
        try
        {
            served = await pauses.EnterAsync(userId, _moveHold, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            served = null;
        }

        using (served)
        {
            await (served is null ? UnavailableAsync(context) : next(context));
        }
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>True when the request can be sent again from its start: it has no body, or all of it read so far was kept.</summary>
    private static bool TryRewindBody(HttpRequest request) =>
        !HasBody(request) || (request.Body is ReplayableBody body && body.TryRewind());

    /// <summary>
    /// The hop header counts only from a peer that could be another shard (loopback, or a trusted proxy's network);
    /// from anyone else it is removed, so a client cannot stop a request from reaching its owner.
    /// </summary>
    private string? TakeHopHeader(HttpContext context)
    {
        var value = context.Request.Headers[HopHeader].ToString();
        if (value.Length == 0)
        {
            return null;
        }

        if (context.Connection.RemoteIpAddress is { } peer && (IPAddress.IsLoopback(peer) || proxies.IsTrusted(peer)))
        {
            return value;
        }

        context.Request.Headers.Remove(HopHeader);
        return null;
    }

    private Task UnavailableAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = _retryAfter;
        context.Response.Headers.CacheControl = "no-store";
        return WriteProblemAsync(context, new ProblemDetails
        {
            Status = StatusCodes.Status503ServiceUnavailable,
            Title = "Your data is temporarily unavailable",
            Detail = "The server that keeps your data cannot be reached right now. Your data is safe; please try again in a moment.",
        });
    }

    private Task MisdirectedAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
        context.Response.Headers.CacheControl = "no-store";
        return WriteProblemAsync(context, new ProblemDetails
        {
            Status = StatusCodes.Status421MisdirectedRequest,
            Title = "Request reached the wrong server",
            Detail = "This request was passed to a server that does not keep your data; nothing was changed. Please try again.",
        });
    }

    private async Task WriteProblemAsync(HttpContext context, ProblemDetails problem)
    {
        if (!await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }))
        {
            await Results.Problem(problem).ExecuteAsync(context);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not find a user's home shard ({Kind}); answered 503")]
    private static partial void LogNoHome(ILogger logger, string kind);

    [LoggerMessage(Level = LogLevel.Error, Message = "Finding a user's home shard failed unexpectedly; answered 503")]
    private static partial void LogHomeLookupFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Forward to shard {Shard} failed ({Error}); answered 503")]
    private static partial void LogForwardFailed(ILogger logger, string shard, ForwarderError error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shard {Sender} forwarded a request for a user whose home is {Home}, not this shard; refused")]
    private static partial void LogMisdirected(ILogger logger, string sender, string home);
}
