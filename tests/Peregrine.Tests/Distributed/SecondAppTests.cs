using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Distributed;

/// <summary>Through the bastion of an AppHost whose Apps list has peregrine and falcon.</summary>
[Collection(FalconAppHostCollection.Name)]
[Trait(Category.Name, Category.Distributed)]
public sealed class SecondAppTests(FalconAppHostFixture fixture)
{
    private static readonly TimeSpan LogTimeout = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData("/peregrine/api/config/app")]
    [InlineData("/falcon/api/config/app")]
    public async Task EachHostedAppAnswersUnderItsOwnPath(string path)
    {
        using var bastion = fixture.CreateBastionClient();

        using var response = await bastion.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("isCloud").GetBoolean());
    }

    [Fact]
    public async Task AnUnknownAppStillGetsTheRunbook503()
    {
        using var bastion = fixture.CreateBastionClient();

        using var response = await bastion.GetAsync("/nothing");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("This app is not yet available in the managed cloud — check back soon.", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task SignedInFalconRequestCreatesTheUsersFalconTreeNotPeregrine()
    {
        var userId = Guid.NewGuid().ToString();
        var token = TestTokens.Sign(TestTokens.SessionClaims(userId), AppHostFixture.JwtSecret);
        using var bastion = fixture.CreateBastionClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/falcon/api/session");
        request.Headers.Add("Cookie", $"cf_session={token}");

        using var response = await bastion.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var userTree = Path.Combine(fixture.StateDirectory, "cloud-data", userId);
        Assert.True(Directory.Exists(Path.Combine(userTree, "falcon")), $"{userTree}/falcon was not created");
        Assert.False(Directory.Exists(Path.Combine(userTree, "peregrine")), $"{userTree}/peregrine was created by falcon");
    }

    [Fact]
    public async Task AccessLogRecordsRequestsButNoCookieOrTokenValue()
    {
        var marker = Guid.NewGuid().ToString("N");
        var sessionToken = $"session-token-{marker}";
        var bearerToken = $"bearer-token-{marker}";
        using var bastion = fixture.CreateBastionClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/falcon/api/config/app?probe={marker}");
        request.Headers.Add("Cookie", $"cf_session={sessionToken}; theme=dark");
        request.Headers.Add("Authorization", $"Bearer {bearerToken}");

        using var response = await bastion.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var log = await WaitForLogLineAsync(marker);

        Assert.Contains($"\"uri\":\"/falcon/api/config/app?probe={marker}\"", log, StringComparison.Ordinal);
        Assert.DoesNotContain(sessionToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain(bearerToken, log, StringComparison.Ordinal);
        Assert.DoesNotContain("cf_session", File.ReadAllText(fixture.BastionAccessLog), StringComparison.Ordinal);
    }

    /// <summary>Caddy writes the access line after the response; poll the file, bounded.</summary>
    private async Task<string> WaitForLogLineAsync(string marker)
    {
        return await Eventually.UntilAsync(() => File.Exists(fixture.BastionAccessLog)
            ? File.ReadLines(fixture.BastionAccessLog).FirstOrDefault(line => line.Contains(marker, StringComparison.Ordinal))
            : null, LogTimeout);
    }
}
