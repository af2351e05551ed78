using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>
/// Every token that is not a valid Directus session gets the sign-in wall, and nothing appears on disk. One service
/// for the class: the data root must still be empty after every case.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class TokenMatrixTests(PeregrineApiFactory factory) : IClassFixture<PeregrineApiFactory>
{
    private const string User = "3f2b8c1e-5d4a-4e6b-9c7d-1a2b3c4d5e6f";

    public static TheoryData<string> RefusedTokens() =>
    [
        "garbage", "alg none", "RS256 header", "wrong key", "expired", "nbf in the future", "wrong iss", "no iss",
        "no exp", "no id or sub", "password-reset scope", "share token", "share claim", "aud", "no role", "no app_access",
        "no admin_access", "id not a uuid", "id ../../etc", "id ..%2F..", "id absolute path", "id 300 chars",
        "id uuid with newline", "id uuid in braces", "id is a number", "sub ../../etc", "crit header", "crit empty",
    ];

    private static string Token(string name)
    {
        var now = DateTimeOffset.UtcNow;
        return name switch
        {
            "garbage" => "garbage",
            "alg none" => TestTokens.Unsecured(TestTokens.SessionClaims(User)),
            "RS256 header" => TestTokens.Sign(TestTokens.SessionClaims(User), alg: "RS256"),
            "wrong key" => TestTokens.Sign(TestTokens.SessionClaims(User), secret: "not-the-directus-secret-0123456789"),
            "expired" => TestTokens.Sign(TestTokens.SessionClaims(User, issuedAt: now.AddHours(-25))),
            "nbf in the future" => TestTokens.Sign(TestTokens.SessionClaims(User).With("nbf", now.AddHours(1).ToUnixTimeSeconds())),
            "wrong iss" => TestTokens.Sign(TestTokens.SessionClaims(User).With("iss", "someone-else")),
            "no iss" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("iss")),
            "no exp" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("exp")),
            "no id or sub" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("id")),
            // Directus's password-reset token: same secret and issuer, a scope, no session claims.
            "password-reset scope" => TestTokens.Sign(new Dictionary<string, object?>
            {
                ["email"] = "someone@example.com",
                ["scope"] = "password-reset",
                ["hash"] = "x",
                ["iat"] = now.ToUnixTimeSeconds(),
                ["exp"] = now.AddHours(1).ToUnixTimeSeconds(),
                ["iss"] = "directus",
            }),
            // Directus's share token: role and access flags but a share id instead of a user id.
            "share token" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("id", "session").With("share", User)
                .With("share_scope", new { collection = "jobs", item = "1" })),
            "share claim" => TestTokens.Sign(TestTokens.SessionClaims(User).With("share", User)),
            "aud" => TestTokens.Sign(TestTokens.SessionClaims(User).With("aud", "peregrine")),
            "no role" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("role")),
            "no app_access" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("app_access")),
            "no admin_access" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("admin_access")),
            "id not a uuid" => WithId("user-uuid-123"),
            "id ../../etc" => WithId("../../etc"),
            "id ..%2F.." => WithId("..%2F.."),
            "id absolute path" => WithId("/etc/passwd"),
            "id 300 chars" => WithId(new string('a', 300)),
            "id uuid with newline" => WithId(User + "\n"),
            "id uuid in braces" => WithId("{" + User + "}"),
            "id is a number" => TestTokens.Sign(TestTokens.SessionClaims(User).With("id", 42)),
            // RFC 7515 §4.1.11: a recipient that does not understand a critical extension must reject the JWS (here RFC 7797's
            // unencoded payload, which changes what the signature covers).
            "crit header" => TestTokens.Sign(TestTokens.SessionClaims(User), header: new Dictionary<string, object?> { ["crit"] = new[] { "b64" }, ["b64"] = false }),
            "crit empty" => TestTokens.Sign(TestTokens.SessionClaims(User), header: new Dictionary<string, object?> { ["crit"] = Array.Empty<string>() }),
            "sub ../../etc" => TestTokens.Sign(TestTokens.SessionClaims(User).Without("id").With("sub", "../../etc")),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such case"),
        };
    }

    private static string WithId(string id) => TestTokens.Sign(TestTokens.SessionClaims(User).With("id", id));

    [Theory]
    [MemberData(nameof(RefusedTokens))]
    public async Task InvalidTokenIsRefusedWithTheExpiredWallAndCreatesNothing(string name)
    {
        using var client = factory.CreateClientWithCookie($"cf_session={Token(name)}");

        using var response = await client.GetAsync($"/{factory.App}/api/session");

        await AssertSignInWall(response, SignInWall.ExpiredDetail);
        Assert.Empty(factory.UserTrees());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("other=1")]
    [InlineData("cf_session=")]
    public async Task RequestWithoutATokenIsAskedToSignInAndCreatesNothing(string? cookie)
    {
        using var client = cookie is null ? factory.CreateAnonymousClient() : factory.CreateClientWithCookie(cookie);

        using var response = await client.GetAsync($"/{factory.App}/api/session");

        await AssertSignInWall(response, SignInWall.MissingDetail);
        Assert.Empty(factory.UserTrees());
    }

    [Fact]
    public async Task BrowserGetsAnHtmlSignInPageWithTheLink()
    {
        using var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("Accept", "text/html,application/xhtml+xml,*/*;q=0.8");

        using var response = await client.GetAsync($"/{factory.App}/api/session");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("href=\"https://circuitforge.tech/login?next=/peregrine\"", page, StringComparison.Ordinal);
        Assert.Contains(SignInWall.MissingDetail, page, StringComparison.Ordinal);
        Assert.Empty(factory.UserTrees());
    }

    private static async Task AssertSignInWall(HttpResponseMessage response, string detail)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.Equal("https://circuitforge.tech/login?next=/peregrine", problem.GetProperty(SignInWall.SignInUrlMember).GetString());
        var challenge = Assert.Single(response.Headers.WwwAuthenticate);
        Assert.Equal("CfSession", challenge.Scheme);
        Assert.Contains("sign_in_url=\"https://circuitforge.tech/login?next=/peregrine\"", challenge.Parameter, StringComparison.Ordinal);
    }
}
