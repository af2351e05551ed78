using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Distributed;

/// <summary>The bastion copies the whole Cookie header into X-CF-Session, so the API receives every cookie twice.</summary>
[Collection(AppHostCollection.Name)]
[Trait(Category.Name, Category.Distributed)]
public sealed class BastionHeaderSizeTests(AppHostFixture fixture)
{
    [Fact]
    public async Task SixteenKilobytesOfOrdinaryCookiesPassThroughTheBastion()
    {
        var user = Guid.NewGuid().ToString();
        var token = TestTokens.Sign(TestTokens.SessionClaims(user), secret: AppHostFixture.JwtSecret);
        var cookies = string.Join("; ", Enumerable.Range(0, 16).Select(i => $"site_pref_{i}={new string((char)('a' + i), 1000)}")) + $"; cf_session={token}";
        using var bastion = fixture.CreateBastionClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/peregrine/api/session");
        request.Headers.Add("Cookie", cookies);

        using var response = await bastion.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(user, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user_id").GetString());
    }
}
