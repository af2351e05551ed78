using System.Net;
using Peregrine.AppHost.Bastion;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Security;

/// <summary>
/// Behind the bastion every connection comes from the bastion, so the client's address and the browser's scheme are
/// what the bastion says in <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c>, and only a configured trusted proxy
/// is believed. Real processes: the demo (whose new-visitor limit counts per client address) and the cloud API, behind
/// Debian's Caddy running the generated bastion configuration; "clients" connect from different loopback addresses.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class ForwardedHeaderTests : IAsyncLifetime
{
    private static readonly BastionRoute DemoRoute = new("peregrine", "PEREGRINE_UPSTREAM", ForwardSession: false);
    private readonly TestDirectory _root = new("peregrine-forwarded");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task BehindTheBastionOneAddressUsingUpItsNewSandboxesLeavesAnotherAddressItsOwn()
    {
        await using var demo = await ApiServer.StartDemoAsync(_root.Path, ("TRUSTED_PROXIES", "127.0.0.1"), ("Demo__NewSandboxesPerMinutePerAddress", "5"));
        await using var bastion = await CaddyBastion.StartAsync(DemoRoute, demo.Address.Authority);
        using var attacker = bastion.ClientFrom("127.0.0.2", cookies: false);

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await attacker.GetAsync("/peregrine/api/session")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await attacker.GetAsync("/peregrine/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(attacker, "/peregrine/api/session", forwardedFor: "198.51.100.7")).StatusCode);
        using var visitor = bastion.ClientFrom("127.0.0.3");
        Assert.Equal(HttpStatusCode.OK, (await visitor.GetAsync("/peregrine/api/session")).StatusCode);
    }

    [Fact]
    public async Task ForwardedHeadersFromAPeerThatIsNotATrustedProxyAreIgnored()
    {
        // What a deployment's compose gives every project by default: the framework's own forwarded-header handling on.
        await using var demo = await ApiServer.StartDemoAsync(
            _root.Path, ("TRUSTED_PROXIES", "10.9.9.9"), ("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"), ("Demo__NewSandboxesPerMinutePerAddress", "3"));
        using var direct = CaddyBastion.ClientFrom(demo.Address, IPAddress.Loopback, cookies: false);

        for (var i = 0; i < 3; i++)
        {
            using var admitted = await SendAsync(direct, "/peregrine/api/session", forwardedFor: $"203.0.113.{i + 1}", forwardedProto: "https");
            Assert.Equal(HttpStatusCode.OK, admitted.StatusCode);
            Assert.DoesNotContain("secure", VisitorCookie(admitted), StringComparison.OrdinalIgnoreCase);
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await SendAsync(direct, "/peregrine/api/session", forwardedFor: "203.0.113.99")).StatusCode);
    }

    [Fact]
    public async Task WhenTheBrowserSideIsHttpsTheVisitorAndAntiforgeryCookiesAreSecure()
    {
        await using var demo = await ApiServer.StartDemoAsync(_root.Path, ("TRUSTED_PROXIES", "127.0.0.1"));
        // The edge that ends TLS in front of the bastion is played by the test client: the bastion trusts its network.
        await using var bastion = await CaddyBastion.StartAsync(DemoRoute, demo.Address.Authority, trustedProxies: "127.0.0.0/8");
        using var browser = bastion.ClientFrom("127.0.0.2");

        using var page = await SendAsync(browser, "/peregrine/", forwardedFor: "203.0.113.5", forwardedProto: "https", html: true);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("secure", VisitorCookie(page), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", Cookie(page, ".AspNetCore.Antiforgery."), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task TheCloudApiTakesTheSchemeFromItsTrustedProxyOnly()
    {
        var user = Guid.NewGuid().ToString();
        await using (var trusting = await ApiServer.StartAsync(Folder("trusting"), ("TRUSTED_PROXIES", "127.0.0.1")))
        {
            using var client = trusting.CreateClient(user);
            using var page = await SendAsync(client, "/peregrine/settings/profile", forwardedFor: "203.0.113.5", forwardedProto: "https", html: true);
            Assert.Contains("secure", Cookie(page, ".AspNetCore.Antiforgery."), StringComparison.OrdinalIgnoreCase);
        }

        await using var untrusting = await ApiServer.StartAsync(Folder("untrusting"), ("ASPNETCORE_FORWARDEDHEADERS_ENABLED", "true"));
        using var other = untrusting.CreateClient(user);
        using var plain = await SendAsync(other, "/peregrine/settings/profile", forwardedFor: "203.0.113.5", forwardedProto: "https", html: true);
        Assert.DoesNotContain("secure", Cookie(plain, ".AspNetCore.Antiforgery."), StringComparison.OrdinalIgnoreCase);
    }

    private string Folder(string name) => Directory.CreateDirectory(_root.Combine(name)).FullName;

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, string path, string? forwardedFor = null, string? forwardedProto = null, bool html = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        if (forwardedProto is not null)
        {
            request.Headers.Add("X-Forwarded-Proto", forwardedProto);
        }

        if (html)
        {
            request.Headers.Add("Accept", "text/html");
        }

        return await client.SendAsync(request);
    }

    private static string VisitorCookie(HttpResponseMessage response) => Cookie(response, "prgn_demo_sandbox=");

    private static string Cookie(HttpResponseMessage response, string prefix) =>
        response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.FirstOrDefault(c => c.StartsWith(prefix, StringComparison.Ordinal)) is { } cookie
            ? cookie
            : throw new Xunit.Sdk.XunitException($"no {prefix} cookie was set ({(int)response.StatusCode})");
}
