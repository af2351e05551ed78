using Microsoft.Extensions.Configuration;
using Peregrine.AppHost.Apps;
using Peregrine.AppHost.Bastion;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment;

[Trait(Category.Name, Category.Unit)]
public sealed class BastionConfigTests
{
    [Fact]
    public void PeregrineKeepsTheResourceNameApiAndOtherAppsGetTheirOwn()
    {
        var apps = HostedApp.ReadAll(Configuration("peregrine", "falcon"));

        Assert.Equal(["api", "falcon-api"], apps.Select(app => app.ResourceName));
        Assert.Equal([8505, 8506], apps.Select(app => app.ContainerPort));
        Assert.Equal("FALCON_UPSTREAM", apps[1].UpstreamVariable);
    }

    [Theory]
    [InlineData("../etc")]
    [InlineData("Falcon")]
    [InlineData("")]
    [InlineData("fal con")]
    public void AnAppThatIsNotASlugIsRefusedByName(string slug)
    {
        var error = Assert.Throws<InvalidOperationException>(() => HostedApp.ReadAll(Configuration("peregrine", slug)));

        Assert.Contains($"'{slug}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAppListedTwiceIsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => HostedApp.ReadAll(Configuration("peregrine", "peregrine")));
    }

    [Fact]
    public void UnknownPathsGetTheRunbookTextAfterTheImportedRoutes()
    {
        var caddyfile = CaddyConfig.Caddyfile();

        var import = caddyfile.IndexOf("import routes.caddy", StringComparison.Ordinal);
        var fallback = caddyfile.IndexOf("respond \"This app is not yet available in the managed cloud — check back soon.\" 503", StringComparison.Ordinal);
        Assert.InRange(import, 0, fallback);
    }

    [Fact]
    public void AccessLogDropsEveryCredentialHeader()
    {
        var caddyfile = CaddyConfig.Caddyfile();

        // Whole header maps: every credential header (Cookie, X-Cf-Session, Authorization, Set-Cookie) is in one.
        foreach (var field in new[] { "request>headers", "resp_headers" })
        {
            Assert.Contains($"\t{field} delete\n", caddyfile.ReplaceLineEndings("\n"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void OnlyRoutesThatForwardTheSessionCopyTheCookie()
    {
        var routes = CaddyConfig.Routes([new BastionRoute("peregrine", "DEMO_UPSTREAM", ForwardSession: false)]);

        Assert.Contains("handle /peregrine* {", routes, StringComparison.Ordinal);
        Assert.DoesNotContain("X-CF-Session", routes, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRouteReusesItsUpstreamConnections()
    {
        var routes = CaddyConfig.Routes([new BastionRoute("peregrine", "PEREGRINE_UPSTREAM", ForwardSession: true)]).ReplaceLineEndings("\n");

        Assert.Contains("\t\ttransport http {\n\t\t\tkeepalive 5m\n", routes, StringComparison.Ordinal);
        Assert.Contains($"\t\t\tkeepalive_idle_conns_per_host {CaddyConfig.UpstreamIdleConnections}\n", routes, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(params string[] slugs) => new ConfigurationBuilder()
        .AddInMemoryCollection(slugs.Select((slug, index) => KeyValuePair.Create($"Apps:{index}", (string?)slug)))
        .Build();
}
