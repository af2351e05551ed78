using System.Net;
using System.Net.Http.Json;
using Peregrine.Sessions;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sessions;

/// <summary>Developer sign-in exists for the AppHost dashboard only; a deployment (Production) has no such door.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class DevSignInTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string User = "dddddddd-1111-4222-8333-444444444444";

    [Fact]
    public async Task DevelopmentSignInSetsASessionCookieTheServiceAccepts()
    {
        await using var factory = new PeregrineApiFactory { EnvironmentName = "Development" };
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync($"/peregrine/api/dev/sign-in?user={User}").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/peregrine/", response.Headers.Location?.OriginalString);
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"));
        Assert.StartsWith("cf_session=", cookie, StringComparison.Ordinal);
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);

        using var signedIn = factory.CreateClientWithCookie(cookie.Split(';')[0]);
        var session = await signedIn.GetFromJsonAsync<SessionResponse>("/peregrine/api/session", PeregrineApiFactory.Json).WaitAsync(Timeout);
        Assert.Equal(User, session!.UserId);
    }

    [Fact]
    public async Task DevelopmentSignInRefusesAUserThatIsNotAUuid()
    {
        await using var factory = new PeregrineApiFactory { EnvironmentName = "Development" };
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync("/peregrine/api/dev/sign-in?user=../../etc").WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(factory.UserTrees());
    }

    [Theory]
    [InlineData("/peregrine/api/dev/sign-in?user=" + User)]
    [InlineData("/peregrine/api/dev/forwarded-session")]
    public async Task DevToolsAreAbsentInProduction(string path)
    {
        await using var factory = new PeregrineApiFactory { EnvironmentName = "Production" };
        using var client = factory.CreateAnonymousClient();

        using var response = await client.GetAsync(path).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"));
        Assert.Empty(factory.UserTrees());
    }
}
