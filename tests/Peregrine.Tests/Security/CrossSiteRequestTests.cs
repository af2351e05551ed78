using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Security;

/// <summary>
/// The session is a cookie, so a page on another site can make the browser send it. State changes from another site
/// are refused (OWASP: Fetch Metadata first, Origin when the browser sends no Fetch Metadata); clients that send
/// neither header (curl, scripts, the tests) are not browsers on another site, and keep working.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class CrossSiteRequestTests(PeregrineApiFactory factory) : IClassFixture<PeregrineApiFactory>
{
    [Fact]
    public async Task ACrossSiteMultipartRestoreCarryingTheVictimsCookieIsRefused()
    {
        var user = Guid.NewGuid().ToString();
        using var client = factory.CreateClient(user);
        (await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Mine", url = "https://jobs.example/mine" })).EnsureSuccessStatusCode();
        using var form = new MultipartFormDataContent { { new ByteArrayContent([0x50, 0x4B, 0x05, 0x06, .. new byte[18]]), "file", "backup.zip" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/peregrine/api/settings/data/restore") { Content = form };
        request.Headers.Add("Sec-Fetch-Site", "cross-site");
        request.Headers.Add("Origin", "https://attacker.example");

        using var response = await client.SendAsync(request);

        await AssertRefusedAsync(response);
        var counts = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        Assert.Equal(1, counts.GetProperty("total").GetInt64());
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Fetch-Site", "same-site")]
    [InlineData("Origin", "https://attacker.example")]
    [InlineData("Origin", "null")]
    [InlineData("Origin", "http://localhost.attacker.example")]
    [InlineData("Origin", "http://localhost:8080")]
    [InlineData("Origin", "https://localhost")]
    public async Task AStateChangeFromAnotherSiteIsRefusedWithA403Problem(string header, string value)
    {
        using var client = factory.CreateClient(Guid.NewGuid().ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/peregrine/api/jobs") { Content = JsonContent.Create(new { title = "x", url = "https://jobs.example/x" }) };
        request.Headers.Add(header, value);

        await AssertRefusedAsync(await client.SendAsync(request));
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("Sec-Fetch-Site", "same-origin")]
    [InlineData("Sec-Fetch-Site", "none")]
    [InlineData("Origin", "http://localhost")]
    public async Task AStateChangeFromTheAppsOwnOriginOrANonBrowserClientIsServed(string? header, string? value)
    {
        using var client = factory.CreateClient(Guid.NewGuid().ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/peregrine/api/jobs") { Content = JsonContent.Create(new { title = "x", url = $"https://jobs.example/{Guid.NewGuid():N}" }) };
        if (header is not null)
        {
            request.Headers.Add(header, value);
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    [Fact]
    public async Task AReadFromAnotherSiteIsNotAStateChangeAndIsServed()
    {
        using var client = factory.CreateClient(Guid.NewGuid().ToString());
        using var request = new HttpRequestMessage(HttpMethod.Get, "/peregrine/api/jobs/counts");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"expected 403, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()));
        }
    }
}
