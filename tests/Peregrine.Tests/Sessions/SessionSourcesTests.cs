using System.Net;
using System.Text;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>
/// Upstream's table of where a session token is found, against the running service, with a real token in place of the table's placeholders
/// (<c>TOKEN</c>; <c>OTHER</c> is a token for another user), plus the X-CF-Session / Cookie precedence and the
/// accepted encodings of <c>DIRECTUS_JWT_SECRET</c>.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class SessionSourcesTests(PeregrineApiFactory factory) : IClassFixture<PeregrineApiFactory>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("a=1; cf_session=TOKEN; b=2", true)]
    [InlineData("cf_session=TOKEN", true)]
    [InlineData("  cf_session=TOKEN", true)]
    [InlineData("foo=1;cf_session= TOKEN ;", true)]
    [InlineData("cf_session=TOKEN; cf_session=garbage", true)]
    [InlineData("cf_session=garbage; cf_session=TOKEN", false)]
    [InlineData("xcf_session=TOKEN", false)]
    [InlineData("a=1;xcf_session=TOKEN", false)]
    [InlineData("cf_session=;a=TOKEN", false)]
    [InlineData("a=1,cf_session=TOKEN", false)]
    [InlineData("TOKEN", false)]
    public async Task ForwardedHeaderFollowsTheExtractionTable(string header, bool signedIn)
    {
        var user = Guid.NewGuid().ToString();
        using var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("X-CF-Session", header.Replace("TOKEN", TestTokens.Session(user), StringComparison.Ordinal));

        using var response = await client.GetAsync("/peregrine/api/session").WaitAsync(Timeout);

        Assert.Equal(signedIn ? HttpStatusCode.OK : HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(signedIn, Directory.Exists(factory.UserDirectory(user)));
    }

    [Fact]
    public async Task ForwardedHeaderWinsOverCookie()
    {
        var (forwarded, direct) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        using var client = factory.CreateClient(direct);
        client.DefaultRequestHeaders.Add("X-CF-Session", $"cf_session={TestTokens.Session(forwarded)}");

        var body = await client.GetStringAsync("/peregrine/api/session").WaitAsync(Timeout);

        Assert.Contains(forwarded, body, StringComparison.Ordinal);
        Assert.False(Directory.Exists(factory.UserDirectory(direct)));
    }

    [Fact]
    public async Task ForwardedHeaderWithoutASessionDoesNotFallBackToCookie()
    {
        var user = Guid.NewGuid().ToString();
        using var client = factory.CreateClient(user);
        client.DefaultRequestHeaders.Add("X-CF-Session", "theme=dark");

        using var response = await client.GetAsync("/peregrine/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.False(Directory.Exists(factory.UserDirectory(user)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Base64SecretAcceptsTokensSignedWithItsTextOrItsDecodedBytes(bool signWithDecodedBytes)
    {
        // The runbook's recipe: 32 base64 characters, which decode to a 24-byte key (shorter than HS256's 32).
        const string Secret = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq8";
        await using var custom = new PeregrineApiFactory();
        custom.Configure("DIRECTUS_JWT_SECRET", Secret);
        var user = Guid.NewGuid().ToString();
        var keyBytes = signWithDecodedBytes ? Convert.FromBase64String(Secret) : Encoding.UTF8.GetBytes(Secret);
        using var client = custom.CreateClientWithCookie($"cf_session={TestTokens.Sign(TestTokens.SessionClaims(user), keyBytes: keyBytes)}");

        using var response = await client.GetAsync("/peregrine/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task DecodedSecretIsRefusedWhenBase64IsTurnedOff()
    {
        const string Secret = "q83vEjRWeJq83vEjRWeJq83vEjRWeJq8";
        await using var custom = new PeregrineApiFactory();
        custom.Configure("DIRECTUS_JWT_SECRET", Secret).Configure("Session:AcceptBase64DecodedSecret", "false");
        var token = TestTokens.Sign(TestTokens.SessionClaims(Guid.NewGuid().ToString()), keyBytes: Convert.FromBase64String(Secret));
        using var client = custom.CreateClientWithCookie($"cf_session={token}");

        using var response = await client.GetAsync("/peregrine/api/session").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
