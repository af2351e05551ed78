using System.Net;
using System.Net.Http.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Security;

/// <summary>What every response says about caching, sniffing and the server, and how big a request's headers may be.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class ResponseHeaderTests(PeregrineApiFactory factory) : IClassFixture<PeregrineApiFactory>
{
    [Theory]
    [InlineData("/peregrine/api/session")]
    [InlineData("/peregrine/api/jobs")]
    [InlineData("/peregrine/api/jobs/counts")]
    [InlineData("/peregrine/api/tasks")]
    [InlineData("/peregrine/api/settings/privacy")]
    [InlineData("/peregrine/api/settings/data/backup")]
    public async Task APerUserResponseIsNeverStoredByACache(string path)
    {
        using var client = factory.CreateClient(Guid.NewGuid().ToString());

        using var response = await client.GetAsync(path);

        Assert.True(response.Headers.CacheControl?.NoStore == true, $"{path} ({(int)response.StatusCode}) has Cache-Control '{response.Headers.CacheControl}'");
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task TheSignInWallIsNeverStoredByACacheEither()
    {
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/peregrine/api/jobs");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore == true);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task APublicResponseSaysNosniffToo()
    {
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/peregrine/api/config/app");

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}

/// <summary>Kestrel's own behaviour needs the real server: the Server header and the request header limits.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class KestrelHeaderTests
{
    [Fact]
    public async Task TheServiceSendsNoServerHeaderAndAcceptsSixteenKilobytesOfCookiesForwardedTwice()
    {
        using var root = new TestDirectory("kestrel-headers");
        await using var server = await ApiServer.StartAsync(root.Path);
        var user = Guid.NewGuid().ToString();
        // What a browser with many ordinary cookies sends, and what the bastion adds: the same header again as X-CF-Session.
        var cookies = string.Join("; ", Enumerable.Range(0, 16).Select(i => $"site_pref_{i}={new string((char)('a' + i), 1000)}"))
            + $"; cf_session={TestTokens.Session(user)}";
        using var client = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/peregrine/api/session");
        request.Headers.Add("Cookie", cookies);
        request.Headers.Add("X-CF-Session", cookies);

        using var response = await client.SendAsync(request);

        Assert.True(cookies.Length > 16_000);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(user, (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("user_id").GetString());
        Assert.False(response.Headers.Contains("Server"), $"Server: {string.Join(", ", response.Headers.TryGetValues("Server", out var s) ? s : [])}");
    }
}
