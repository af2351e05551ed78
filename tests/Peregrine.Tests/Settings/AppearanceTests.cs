using System.Net;
using System.Net.Http.Json;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Settings;

/// <summary>
/// The theme and the time zone are stored through the API in the user's own user.yaml and drawn by the server on the
/// page's own html element, so the first paint is already in the chosen theme (no flash).
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class AppearanceTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task AChosenThemeIsOnThePagesHtmlElementAsServedAndAutoLeavesItToTheDevice()
    {
        using var client = _factory.CreateClient(_user);

        Assert.DoesNotContain("data-theme", await HtmlElementAsync(client), StringComparison.Ordinal);
        (await client.PostAsJsonAsync("/peregrine/api/settings/theme", new { theme = "dark" })).EnsureSuccessStatusCode();
        Assert.Contains("data-theme=\"dark\"", await HtmlElementAsync(client), StringComparison.Ordinal);
        (await client.PostAsJsonAsync("/peregrine/api/settings/theme", new { theme = "colorblind" })).EnsureSuccessStatusCode();
        Assert.Contains("data-theme=\"colorblind\"", await HtmlElementAsync(client), StringComparison.Ordinal);

        using var other = _factory.CreateClient(Guid.NewGuid().ToString());
        Assert.DoesNotContain("data-theme", await HtmlElementAsync(other), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("neon")]
    [InlineData("DARK")]
    [InlineData("")]
    public async Task AThemeUpstreamDoesNotKnowIsItsFourHundred(string theme)
    {
        using var client = _factory.CreateClient(_user);

        using var response = await client.PostAsJsonAsync("/peregrine/api/settings/theme", new { theme });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal($"Invalid theme: {theme}", (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ATimeZoneIsStoredOnlyWhenTheServerKnowsIt()
    {
        using var client = _factory.CreateClient(_user);
        var userYaml = Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml");

        Assert.Contains("data-zone=\"unset\"", await HtmlElementAsync(client), StringComparison.Ordinal);
        (await client.PostAsJsonAsync("/peregrine/api/settings/time-zone", new { time_zone = "Europe/Berlin" })).EnsureSuccessStatusCode();
        Assert.Contains("time_zone: Europe/Berlin", await File.ReadAllTextAsync(userYaml), StringComparison.Ordinal);
        Assert.DoesNotContain("data-zone", await HtmlElementAsync(client), StringComparison.Ordinal);

        foreach (var hostile in new[] { "../../../../etc/passwd", "Europe/../../etc/shadow", "Mars/Olympus_Mons", new string('A', 5000) })
        {
            using var refused = await client.PostAsJsonAsync("/peregrine/api/settings/time-zone", new { time_zone = hostile });
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        }

        Assert.Contains("time_zone: Europe/Berlin", await File.ReadAllTextAsync(userYaml), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AUserYamlThatDoesNotParseIsNeverOverwrittenByAThemeChange()
    {
        using var client = _factory.CreateClient(_user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        var userYaml = Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml");
        const string broken = "name: Ada\ncareer_summary: [unclosed\n";
        await File.WriteAllTextAsync(userYaml, broken);

        using var response = await client.PostAsJsonAsync("/peregrine/api/settings/theme", new { theme = "dark" });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(broken, await File.ReadAllTextAsync(userYaml));
    }

    private static async Task<string> HtmlElementAsync(HttpClient client)
    {
        var page = await client.GetStringAsync("/peregrine/settings/appearance");
        var start = page.IndexOf("<html", StringComparison.Ordinal);
        return page[start..page.IndexOf('>', start)];
    }
}
