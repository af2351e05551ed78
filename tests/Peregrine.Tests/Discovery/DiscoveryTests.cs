using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Discovery;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Tasks;

namespace Peregrine.Tests.Discovery;

/// <summary>Discovery over loopback boards speaking Greenhouse's, Lever's and Ashby's wire formats.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class DiscoveryTests : IAsyncLifetime
{
    private const string Profiles = """
        profiles:
          - name: platform
            titles: ["Platform Engineer"]
            locations: ["Berlin"]
            boards: ["greenhouse:acme", "lever:globex", "linkedin"]
            exclude_keywords: ["clearance"]
            remote_preference: both
            hours_old: 0
          - name: data
            job_titles: ["Data Engineer"]
            boards: ["ashby:initech", "lever:globex"]
            remote_preference: remote
            hours_old: 0
        """;

    private readonly PeregrineApiFactory _factory = new();
    private JobSiteServer _boards = null!;
    private TaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _boards = await JobSiteServer.StartAsync(BoardFixtures.Map);
        _factory.Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{_boards.Port}")
            .Configure("Discovery:GreenhouseBaseUrl", _boards.Address.AbsoluteUri)
            .Configure("Discovery:LeverBaseUrl", _boards.Address.AbsoluteUri)
            .Configure("Discovery:AshbyBaseUrl", _boards.Address.AbsoluteUri);
        _host = new TaskTestHost(_factory, _ => { });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
        await _boards.DisposeAsync();
    }

    private async Task<TaskRow> DiscoverAsync(HttpClient client, Peregrine.Sessions.UserContext user)
    {
        var response = await client.PostAsync("/peregrine/api/tasks/discovery", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("is_new").GetBoolean());
        return await _host.FinishedAsync(user, body.GetProperty("task_id").GetInt64());
    }

    [Fact]
    public async Task TwoProfilesOverThreeBoardsAddTheMatchingListingsOnceAndScoreThem()
    {
        var user = await _host.SignInAsync(Guid.NewGuid().ToString());
        File.WriteAllText(Path.Combine(user.ConfigDirectory, SearchProfiles.FileName), Profiles);
        File.WriteAllText(Path.Combine(user.ConfigDirectory, DiscoveryConfig.BlocklistFile), "companies: []\nlocations: [Moscow]\n");
        File.WriteAllText(Path.Combine(user.ConfigDirectory, DiscoveryConfig.KeywordsFile), "skills: [Kubernetes, Go]\ndomains: [fintech]\nkeywords: [platform]\n");
        using var client = _host.Client(user.UserId);

        var first = await DiscoverAsync(client, user);

        Assert.Equal(("completed", "4 new listing(s) added"), (first.Status, first.Error));
        var jobs = (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?status=pending")).EnumerateArray().ToList();
        Assert.Equal(
            ["https://boards.greenhouse.io/acme/jobs/101", "https://jobs.ashbyhq.com/initech/c1", "https://jobs.lever.co/globex/a1", "https://jobs.lever.co/globex/a3"],
            jobs.Select(j => j.GetProperty("url").GetString()).Order(StringComparer.Ordinal));
        var best = jobs[0];
        Assert.Equal(("Senior Platform Engineer", "Acme Rockets", 75.0, ""),
            (best.GetProperty("title").GetString(), best.GetProperty("company").GetString(), best.GetProperty("match_score").GetDouble(), best.GetProperty("keyword_gaps").GetString()));
        var ashby = jobs.Single(j => j.GetProperty("url").GetString()!.Contains("ashby", StringComparison.Ordinal));
        Assert.Equal(("$150,000 – $180,000", true), (ashby.GetProperty("salary").GetString(), ashby.GetProperty("is_remote").GetBoolean()));

        var second = await DiscoverAsync(client, user);

        Assert.Equal(("completed", "0 new listing(s) added"), (second.Status, second.Error));
        Assert.Equal(4, (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64());
        var status = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/system/status");
        Assert.NotEqual(JsonValueKind.Null, status.GetProperty("discovery_last_run").ValueKind);
        Assert.Equal(0, status.GetProperty("tasks_running").GetInt64());
    }

    [Fact]
    public async Task AMalformedProfileFileFailsTheTaskWithItsLine()
    {
        var user = await _host.SignInAsync(Guid.NewGuid().ToString());
        File.WriteAllText(Path.Combine(user.ConfigDirectory, SearchProfiles.FileName), "profiles:\n  - name: x\n    titles: [a\n");
        using var client = _host.Client(user.UserId);

        var run = await DiscoverAsync(client, user);

        Assert.Equal("failed", run.Status);
        Assert.StartsWith("search_profiles.yaml line", run.Error);
    }

    [Theory]
    [InlineData("profiles:\n  - name: x\n    boards: [greenhouse:acme]\n", "needs at least one title")]
    [InlineData("profiles:\n  - titles: [a]\n    boards: [\"greenhouse:../admin\"]\n", "is not greenhouse:<token>")]
    [InlineData("profiles:\n  - titles: [a]\n    remote_preference: sometimes\n", "remote_preference must be")]
    [InlineData("a: &x [1]\nb: *x\n", "anchors and aliases are not supported")]
    public void TheValidatorNamesTheProblem(string yaml, string expected) =>
        Assert.Contains(expected, Assert.Single(SearchProfiles.Validate(yaml)));

    [Fact]
    public void TitlesAndJobTitlesAndTheSettingsDefaultAreAllRead()
    {
        var profiles = SearchProfiles.Parse("profiles:\n  - name: a\n    titles: [One]\n  - name: b\n    job_titles: [Two]\ndefault:\n  job_titles: [Three]\n  job_boards: [lever:globex]\n");

        Assert.Equal(["One", "Two", "Three"], profiles.Select(p => p.Titles.Single()));
        Assert.Equal("default", profiles[2].Name);
        Assert.Equal(new BoardRef("lever", "globex"), profiles[2].Boards.Single());
    }
}
