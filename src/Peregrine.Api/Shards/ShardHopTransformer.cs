using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Peregrine.Api.Shards;

/// <summary>
/// Copies the whole request (the Host header too: the owner's same-origin checks and links must see the address the
/// browser used), marks it as forwarded, and adds this hop to <c>X-Forwarded-For</c> so an owner that trusts its
/// shards still sees the client.
/// </summary>
internal sealed class ShardHopTransformer(string self) : HttpTransformer
{
    /// <summary>Set in the request's items when the owner answered 421: the router decides what the client gets.</summary>
    public const string RefusedAsNotHome = "Peregrine.Shards.RefusedAsNotHome";

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse?.StatusCode == HttpStatusCode.MisdirectedRequest)
        {
            httpContext.Items[RefusedAsNotHome] = true;
            return ValueTask.FromResult(false);
        }

        return base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        proxyRequest.Headers.Remove(ShardRouter.HopHeader);
        proxyRequest.Headers.TryAddWithoutValidation(ShardRouter.HopHeader, self);
        if (httpContext.Connection.RemoteIpAddress is { } peer)
        {
            var forwardedFor = httpContext.Request.Headers["X-Forwarded-For"].ToString();
            proxyRequest.Headers.Remove("X-Forwarded-For");
            proxyRequest.Headers.TryAddWithoutValidation("X-Forwarded-For", forwardedFor.Length == 0 ? peer.ToString() : $"{forwardedFor}, {peer}");
        }
    }
}
