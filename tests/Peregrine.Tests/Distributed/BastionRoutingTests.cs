using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Distributed;

[Collection(AppHostCollection.Name)]
[Trait(Category.Name, Category.Distributed)]
public sealed class BastionRoutingTests(AppHostFixture fixture, ITestOutputHelper output)
{
    private const string NotYetAvailable = "This app is not yet available in the managed cloud — check back soon.";

    [Fact]
    public async Task AllFourResourcesBecomeHealthy()
    {
        output.WriteLine($"AppHost time to healthy: {fixture.TimeToHealthy.TotalSeconds:F1} s");
        foreach (var resource in AppHostFixture.Resources)
        {
            Assert.True(fixture.App.ResourceNotifications.TryGetCurrentState(resource, out var state), resource);
            Assert.Equal("Healthy", state!.Snapshot.HealthStatus?.ToString());
        }
    }

    [Fact]
    public async Task PeregrinePathReachesTheCloudApi()
    {
        using var bastion = fixture.CreateBastionClient();

        using var response = await bastion.GetAsync("/peregrine/api/config/app");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("isCloud").GetBoolean());
        Assert.False(body.GetProperty("isDemo").GetBoolean());
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/falcon/api/config/app")]
    [InlineData("/peregrin")]
    public async Task AnyOtherPathGets503WithTheRunbookText(string path)
    {
        using var bastion = fixture.CreateBastionClient();

        using var response = await bastion.GetAsync(path);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(NotYetAvailable, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task CookieHeaderReachesTheApiAsXCFSession()
    {
        using var bastion = fixture.CreateBastionClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/peregrine/api/dev/forwarded-session");
        request.Headers.Add("Cookie", "cf_session=x; a=b");

        using var response = await bastion.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("cf_session=x; a=b", body.GetProperty("x_cf_session").GetString());
    }

    [Fact]
    public async Task DemoServesItsOwnConfigInDemoMode()
    {
        using var demo = CreateDemoClient();

        var body = await demo.GetFromJsonAsync<JsonElement>("/peregrine/api/config/app");

        Assert.True(body.GetProperty("isDemo").GetBoolean());
        Assert.False(body.GetProperty("isCloud").GetBoolean());
    }

    [Fact]
    public async Task DemoStartsWithItsSyntheticJobs()
    {
        using var demo = CreateDemoClient();

        var counts = await demo.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        var pending = await demo.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?status=pending&limit=100");

        Assert.Equal(24, counts.GetProperty("total").GetInt64());
        Assert.All(pending.EnumerateArray(), job => Assert.StartsWith("https://jobs.example.com/demo/", job.GetProperty("url").GetString(), StringComparison.Ordinal));
    }

    /// <summary>
    /// The demo sets a visitor cookie; Aspire's test clients share one cookie jar, and cookies ignore ports, so a shared
    /// client would carry it to the bastion's tests on the same localhost.
    /// </summary>
    private HttpClient CreateDemoClient() =>
        new(new SocketsHttpHandler { UseCookies = false }) { BaseAddress = fixture.App.GetEndpoint("demo", "http") };
}
