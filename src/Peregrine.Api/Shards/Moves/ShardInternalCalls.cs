using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Peregrine.Configuration;
using Peregrine.Security;

namespace Peregrine.Api.Shards.Moves;

/// <summary>
/// Calls between shards, and from the operator's commands to a shard, under <c>/internal/shards</c>. They carry a bearer
/// token derived from <c>CF_SERVER_SECRET</c> (which every shard and the operator already hold, so there is no new secret
/// to distribute) and are accepted only from loopback or a trusted proxy's network: the bastion never routes this path,
/// and a token that leaked would still not work from outside.
/// </summary>
public static class ShardInternalCalls
{
    public const string PathPrefix = "/internal/shards";
    private const string Purpose = "peregrine shard internal calls";

    public static string Token(PeregrineOptions settings)
    {
        var keys = settings.ServerKeys();
        return Convert.ToHexStringLower(keys.DerivePurposeKey(keys.CurrentId, Purpose)!);
    }

    public static void Authorize(HttpRequestHeaders headers, string token) => headers.Authorization = new AuthenticationHeaderValue("Bearer", token);

    /// <summary>The endpoint filter of the internal group: loopback or trusted peer, and the token.</summary>
    public static EndpointFilterDelegate RequireCaller(EndpointFilterFactoryContext factory, EndpointFilterDelegate next)
    {
        var services = factory.ApplicationServices;
        var expected = Encoding.ASCII.GetBytes("Bearer " + Token(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PeregrineOptions>>().Value));
        var proxies = services.GetRequiredService<TrustedProxies>();
        return context =>
        {
            var http = context.HttpContext;
            var peer = http.Connection.RemoteIpAddress;
            var presented = Encoding.ASCII.GetBytes(http.Request.Headers.Authorization.ToString());
            return peer is not null && (IPAddress.IsLoopback(peer) || proxies.IsTrusted(peer)) && CryptographicOperations.FixedTimeEquals(presented, expected)
                ? next(context)
                : ValueTask.FromResult<object?>(TypedResults.NotFound());
        };
    }
}
