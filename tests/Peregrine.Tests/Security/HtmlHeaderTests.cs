using System.Net;
using System.Net.Http.Headers;
using AngleSharp.Html.Parser;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Security;

/// <summary>
/// Every HTML response (pages, the sign-in wall, error pages, in the cloud and the demo) says it may not be framed,
/// runs only the app's own script files, and leaks no referrer or device access; and no page needs more: no inline
/// script, no inline style, no event-handler attribute (the policy would block them).
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class HtmlHeaderTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _cloud = new();
    private readonly DemoFactory _demo = new();

    public static TheoryData<string> CloudPages => new()
    {
        "/peregrine/", "/peregrine/review", "/peregrine/interviews", "/peregrine/settings/profile", "/peregrine/settings/search",
        "/peregrine/settings/data", "/peregrine/settings/privacy", "/peregrine/settings/account", "/peregrine/jobs/999999",
        "/peregrine/no-such-page",
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _cloud.DisposeAsync();
        await _demo.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(CloudPages))]
    public async Task EveryCloudPageForbidsFramingAndInlineScript(string path)
    {
        using var client = _cloud.CreateClient(Guid.NewGuid().ToString());

        await AssertProtectedPageAsync(client, path);
    }

    [Fact]
    public async Task TheSignInWallAndTheDemoPagesToo()
    {
        using var anonymous = _cloud.CreateAnonymousClient();
        await AssertProtectedPageAsync(anonymous, "/peregrine/", HttpStatusCode.Unauthorized);

        using var visitor = _demo.CreateVisitor();
        foreach (var path in new[] { "/peregrine/", "/peregrine/review", "/peregrine/settings/search", "/peregrine/settings/data", "/peregrine/nothing-here" })
        {
            await AssertProtectedPageAsync(visitor, path);
        }
    }

    [Fact]
    public async Task AFormPostThatFailsIsAnErrorPageWithTheSameHeaders()
    {
        using var client = _cloud.CreateClient(Guid.NewGuid().ToString());
        using var request = new HttpRequestMessage(HttpMethod.Post, "/peregrine/settings/search")
        {
            Content = new FormUrlEncodedContent([new("_handler", "search"), new("Yaml", "profiles: []")]),
        };
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        AssertHeaders(response);
    }

    private static async Task AssertProtectedPageAsync(HttpClient client, string path, HttpStatusCode? status = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        using var response = await client.SendAsync(request);

        if (status is { } expected)
        {
            Assert.Equal(expected, response.StatusCode);
        }

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        AssertHeaders(response);
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Empty(page.QuerySelectorAll("script:not([src])").Select(s => s.OuterHtml));
        Assert.Empty(page.QuerySelectorAll("[style]").Select(e => e.OuterHtml));
        Assert.Empty(page.All.Where(e => e.Attributes.Any(a => a.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))).Select(e => e.OuterHtml));
    }

    private static void AssertHeaders(HttpResponseMessage response)
    {
        var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var directives = policy.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d.Split(' ').Skip(1).ToArray());
        Assert.Equal(["'self'"], directives["default-src"]);
        Assert.Equal(["'none'"], directives["frame-ancestors"]);
        Assert.DoesNotContain("'unsafe-inline'", directives.GetValueOrDefault("script-src", directives["default-src"]));
        Assert.DoesNotContain("'unsafe-eval'", directives.GetValueOrDefault("script-src", directives["default-src"]));
        Assert.Equal(["'none'"], directives["object-src"]);
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        Assert.Contains(Assert.Single(response.Headers.GetValues("Referrer-Policy")), new[] { "same-origin", "strict-origin", "no-referrer" });
        Assert.Contains("camera=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")), StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }
}
