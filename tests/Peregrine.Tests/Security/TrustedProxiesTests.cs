using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Peregrine.Security;
using Peregrine.Tests.Deployment;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Security;

[Trait(Category.Name, Category.Unit)]
public sealed class TrustedProxiesTests
{
    private static TrustedProxies Trusting(string entries) => new(Options.Create(new TrustedProxyOptions { Entries = entries }), NullLogger<TrustedProxies>.Instance);

    [Theory]
    // peer, X-Forwarded-For, X-Forwarded-Proto, the client and scheme the app sees
    [InlineData("10.0.0.5", "203.0.113.7", "https", "203.0.113.7", "https")]
    [InlineData("10.0.0.5", "198.51.100.1, 203.0.113.7", "https", "203.0.113.7", "https")] // the client's own claim is not believed
    [InlineData("10.0.0.5", "203.0.113.7, 172.17.0.1", "https", "203.0.113.7", "https")] // past a trusted edge
    [InlineData("10.0.0.5", "203.0.113.7, 172.17.0.1", "https, http", "203.0.113.7", "https")] // one scheme per hop
    [InlineData("10.0.0.5", "garbage, 172.17.0.1", "https", "172.17.0.1", "https")]
    [InlineData("10.0.0.5", "[2001:db8::7]:4711", "http", "2001:db8::7", "http")]
    [InlineData("10.0.0.5", "", "javascript", "10.0.0.5", "http")]
    [InlineData("198.51.100.9", "203.0.113.7", "https", "198.51.100.9", "http")] // not a trusted peer: nothing believed
    [InlineData("::ffff:10.0.0.5", "203.0.113.7", "https", "203.0.113.7", "https")]
    public void OnlyATrustedPeersForwardedHeadersAreBelieved(string peer, string forwardedFor, string forwardedProto, string client, string scheme)
    {
        var proxies = Trusting("10.0.0.5, 172.16.0.0/12");
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(peer);
        context.Request.Scheme = "http";
        context.Request.Headers["X-Forwarded-For"] = forwardedFor;
        context.Request.Headers["X-Forwarded-Proto"] = forwardedProto;

        proxies.Apply(context);

        Assert.Equal(IPAddress.Parse(client), context.Connection.RemoteIpAddress);
        Assert.Equal(scheme, context.Request.Scheme);
    }

    [Fact]
    public void NobodyIsTrustedUnlessConfigured()
    {
        Assert.False(Trusting(string.Empty).IsTrusted(IPAddress.Loopback));
        Assert.True(Trusting("private_ranges").IsTrusted(IPAddress.Parse("192.168.1.1")));
        Assert.False(Trusting("private_ranges").IsTrusted(IPAddress.Parse("8.8.8.8")));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("bastion;rm")]
    [InlineData("http://bastion")]
    public void AnEntryThatIsNoAddressNetworkOrNameIsNamed(string entry) =>
        Assert.Contains($"'{entry}'", TrustedProxies.TryParse($"bastion {entry}", out _, out _));

    [Fact]
    public void TheGeneratedComposeFilesTrustEachAppsOwnBastionAndTheEdgeOnly()
    {
        var cloud = File.ReadAllText(Path.Combine(Repository.Root, "compose.cloud.yml"));
        var demo = File.ReadAllText(Path.Combine(Repository.Root, "compose.demo.yml"));

        Assert.Contains("TRUSTED_PROXIES: bastion ${TRUSTED_PROXIES:-private_ranges}", cloud, StringComparison.Ordinal);
        Assert.Contains("BASTION_TRUSTED_PROXIES: ${TRUSTED_PROXIES:-private_ranges}", cloud, StringComparison.Ordinal);
        // The demo is its own compose project, so its bastion is "bastion" there too.
        Assert.Contains("TRUSTED_PROXIES: bastion ${TRUSTED_PROXIES:-private_ranges}", demo, StringComparison.Ordinal);
        Assert.Contains("trusted_proxies {$BASTION_TRUSTED_PROXIES}", File.ReadAllText(Path.Combine(Repository.Root, "deploy", "bastion", "routes.caddy")), StringComparison.Ordinal);
    }
}
