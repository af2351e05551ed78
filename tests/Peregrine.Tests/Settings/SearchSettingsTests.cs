using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Discovery;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Settings;

/// <summary>
/// Search preferences in upstream's flat shape (with its <c>{name, enabled}</c> boards and <c>blocklist_*</c> lists) are
/// written to the very files discovery reads, and checked by its parser; the YAML export and import go through the
/// guarded loader, and a broken import is a friendly 400 that changes nothing.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class SearchSettingsTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private string Config => Path.Combine(_factory.UserDirectory(_user), "config");

    [Fact]
    public async Task UpstreamsShapeWithBoardsAndABlocklistIsWhatDiscoveryReads()
    {
        using var client = _factory.CreateClient(_user);

        using var put = await client.PutAsJsonAsync("/peregrine/api/settings/search", new
        {
            remote_preference = "remote",
            job_titles = new[] { "Platform Engineer" },
            locations = new[] { "Berlin" },
            job_boards = new object[]
            {
                new { name = "greenhouse:acme", enabled = true },
                new { name = "https://jobs.lever.co/globex/1234-abcd", enabled = true },
                new { name = "ashby:initech", enabled = false },
            },
            results_per_board = 10,
            hours_old = 168,
            blocklist_companies = new[] { "Example Bank" },
            blocklist_industries = new[] { "gambling" },
        });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var profile = Assert.Single(SearchProfiles.Load(Config));
        Assert.Equal([new BoardRef("greenhouse", "acme"), new BoardRef("lever", "globex")], profile.Boards);
        Assert.Equal((10, 168, "remote"), (profile.ResultsPerBoard, profile.HoursOld, profile.RemotePreference));
        var blocklist = DiscoveryConfig.LoadBlocklist(Config);
        Assert.Equal(["Example Bank"], blocklist.Companies);
        Assert.Equal(["gambling"], blocklist.Industries);
        var search = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/search");
        Assert.Equal("lever:globex", search.GetProperty("job_boards")[1].GetProperty("name").GetString());
        Assert.True(search.GetProperty("job_boards")[1].GetProperty("enabled").GetBoolean());
        Assert.Equal("gambling", search.GetProperty("blocklist_industries")[0].GetString());

        using var unknown = await client.PutAsJsonAsync("/peregrine/api/settings/search", new { job_titles = new[] { "x" }, job_boards = new[] { "monster" } });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("is not a board Peregrine can read", (await unknown.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnExportImportsBackAndABrokenImportIsAFriendlyRefusalThatChangesNothing()
    {
        using var client = _factory.CreateClient(_user);
        (await client.PutAsJsonAsync("/peregrine/api/settings/search", new { job_titles = new[] { "SRE" }, job_boards = new[] { "greenhouse:acme" }, blocklist_locations = new[] { "Moscow" } }))
            .EnsureSuccessStatusCode();
        var exported = await client.GetStringAsync("/peregrine/api/settings/search/export");
        var before = await File.ReadAllTextAsync(Path.Combine(Config, SearchProfiles.FileName));

        using var broken = await client.PostAsJsonAsync("/peregrine/api/settings/search/import", new { yaml = "profiles:\n  - name: x\n    titles: [SRE\n" });
        using var aliases = await client.PostAsJsonAsync("/peregrine/api/settings/search/import", new { yaml = "a: &x [1]\nprofiles: *x\n" });

        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.EndsWith("Nothing was saved.", (await broken.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, aliases.StatusCode);
        Assert.Equal(before, await File.ReadAllTextAsync(Path.Combine(Config, SearchProfiles.FileName)));

        using var imported = await client.PostAsJsonAsync("/peregrine/api/settings/search/import", new { yaml = exported.Replace("SRE", "Site Reliability Engineer", StringComparison.Ordinal) });

        Assert.Equal(HttpStatusCode.OK, imported.StatusCode);
        Assert.Equal("Site Reliability Engineer", Assert.Single(Assert.Single(SearchProfiles.Load(Config)).Titles));
        Assert.Equal(["Moscow"], DiscoveryConfig.LoadBlocklist(Config).Locations);
    }
}
