using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Discovery;
using Peregrine.Fetching;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Discovery;
using Peregrine.Tests.Fetching;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Tasks;

namespace Peregrine.Tests.Scraping;

/// <summary>
/// <c>POST /api/tasks/enrich</c> over a real loopback job site (and an internal listener it must never reach), and
/// <c>GET /api/system/status</c> reporting what the runner is doing and when enrichment and discovery last ran.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class EnrichmentTests : IAsyncLifetime
{
    private static readonly string LongDescription = string.Concat(Enumerable.Repeat("A long, complete description. ", 10));

    private readonly PeregrineApiFactory _factory = new();
    private readonly RecordingConnections _connections = new();
    private readonly TaskCompletionSource _heldReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private JobSiteServer _site = null!;
    private JobSiteServer _internal = null!;
    private TaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _site = await JobSiteServer.StartAsync(app =>
        {
            BoardFixtures.Map(app);
            // Holds the enrichment's fetch open until the test has looked at the status.
            app.MapGet("/held", async (HttpContext context) =>
            {
                _heldReached.TrySetResult();
                await _release.Task.WaitAsync(context.RequestAborted);
                return Results.Content(JobSiteServer.JsonLdPage("held"), "text/html; charset=utf-8");
            });
        });
        _internal = await JobSiteServer.StartAsync();
        _factory.Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{_site.Port}")
            .Configure("Enrichment:DelayBetweenFetches", "00:00:00")
            .Configure("Discovery:GreenhouseBaseUrl", _site.Address.AbsoluteUri);
        _host = new TaskTestHost(_factory, services => services.AddSingleton<IConnectionOpener>(_connections));
    }

    public async Task DisposeAsync()
    {
        _release.TrySetResult();
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
        await _site.DisposeAsync();
        await _internal.DisposeAsync();
    }

    [Fact]
    public async Task MissingAndShortDescriptionsAreRefetchedLongOnesAreLeftAndInternalAddressesAreRefused()
    {
        var user = await _host.SignInAsync(Guid.NewGuid().ToString());
        var missing = AddJob(user, _site.Url("/jobs/1"), description: null, company: "");
        var shortOne = AddJob(user, _site.Url("/og/2"), description: "Short.", company: "Kept Co");
        var longOne = AddJob(user, _site.Url("/jobs/3"), LongDescription, company: "Long Co");
        var noDescriptionOnPage = AddJob(user, _site.Url("/title-only"), description: null, company: "Initech");
        var archived = AddJob(user, _site.Url("/jobs/5"), description: null, company: "Old Co", status: "archived");
        // Longer than the page's description yet under the threshold: the shorter text must not replace it.
        var betterThanPage = AddJob(user, _site.Url("/og/6"), description: "A description longer than the one on the page, which is only a teaser line.", company: "Globex");
        var internalJob = AddJob(user, $"http://127.0.0.1:{_internal.Port}/jobs/7", description: null, company: "Internal");
        var metadata = AddJob(user, "http://169.254.169.254/latest/meta-data/", description: null, company: "Cloud");
        using var client = _host.Client(user.UserId);

        var task = await EnrichAsync(client, user);

        Assert.Equal(("completed", "2 description(s) fetched, 2 failed, 2 error(s)"), (task.Status, task.Error));
        Assert.Equal("Fetching 6 of 6", task.Stage);
        Assert.Equal(("Build the launch platform.\n\n• Kubernetes\n• Go", JobSiteServer.PostingCompany, "Berlin, DE"), Fields(user, missing));
        Assert.Equal(("Analyse & report on rocket telemetry.", "Kept Co", (string?)null), Fields(user, shortOne));
        Assert.Equal((LongDescription, "Long Co", (string?)null), Fields(user, longOne));
        Assert.Null(Fields(user, noDescriptionOnPage).Description);
        Assert.Null(Fields(user, archived).Description);
        Assert.StartsWith("A description longer than", Fields(user, betterThanPage).Description);
        Assert.Null(Fields(user, internalJob).Description);
        Assert.Null(Fields(user, metadata).Description);

        Assert.Equal(0, _site.RequestsTo("/jobs/3"));
        Assert.Equal(0, _site.RequestsTo("/jobs/5"));
        Assert.Equal(0, _internal.AcceptedConnections);
        Assert.All(_connections.Attempts, endpoint => Assert.Equal(new IPEndPoint(IPAddress.Loopback, _site.Port), endpoint));
    }

    [Fact]
    public async Task SystemStatusCountsTheRunningTaskAndTellsWhenEnrichmentAndDiscoveryLastRan()
    {
        var user = await _host.SignInAsync(Guid.NewGuid().ToString());
        AddJob(user, _site.Url("/held"), description: null, company: "");
        File.WriteAllText(Path.Combine(user.ConfigDirectory, SearchProfiles.FileName), "profiles:\n  - titles: [Platform Engineer]\n    boards: [greenhouse:acme]\n    hours_old: 0\n");
        using var client = _host.Client(user.UserId);
        var before = await StatusAsync(client);
        Assert.Equal((0, null, null), (before.TasksRunning, before.EnrichmentLastRun, before.DiscoveryLastRun));

        var enrichId = await QueueAsync(client, "enrich");
        await _heldReached.Task.WaitAsync(TaskTestHost.Bound);

        var during = await StatusAsync(client);
        Assert.Equal((1, null), (during.TasksRunning, during.EnrichmentLastRun));

        _release.TrySetResult();
        var enriched = await _host.FinishedAsync(user, enrichId);
        Assert.Equal(("completed", "1 description(s) fetched, 0 failed"), (enriched.Status, enriched.Error));
        var discovered = await _host.FinishedAsync(user, await QueueAsync(client, "discovery"));
        Assert.Equal("completed", discovered.Status);

        var after = await StatusAsync(client);
        Assert.Equal(0, after.TasksRunning);
        Assert.Equal(FinishedAt(user, enrichId), after.EnrichmentLastRun);
        Assert.Equal(FinishedAt(user, discovered.Id), after.DiscoveryLastRun);
    }

    private async Task<TaskRow> EnrichAsync(HttpClient client, UserContext user) =>
        await _host.FinishedAsync(user, await QueueAsync(client, "enrich"));

    private static async Task<long> QueueAsync(HttpClient client, string task)
    {
        var response = await client.PostAsync($"/peregrine/api/tasks/{task}", null);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("task_id").GetInt64();
    }

    private static async Task<Status> StatusAsync(HttpClient client)
    {
        var status = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/system/status");
        return new Status(
            status.GetProperty("tasks_running").GetInt64(),
            status.GetProperty("enrichment_last_run").GetString(),
            status.GetProperty("discovery_last_run").GetString());
    }

    private long AddJob(UserContext user, string url, string? description, string company, string status = "pending")
    {
        using var db = Open(user);
        return db.ExecuteScalar<long>(
            "INSERT INTO jobs (title, company, url, description, status) VALUES ('Engineer', @company, @url, @description, @status) RETURNING id;",
            new { company, url, description, status });
    }

    private (string? Description, string? Company, string? Location) Fields(UserContext user, long jobId)
    {
        using var db = Open(user);
        return db.QuerySingle<(string?, string?, string?)>("SELECT description, company, location FROM jobs WHERE id = @jobId;", new { jobId });
    }

    private string? FinishedAt(UserContext user, long taskId)
    {
        using var db = Open(user);
        return db.ExecuteScalar<string?>("SELECT finished_at FROM background_tasks WHERE id = @taskId;", new { taskId });
    }

    private Microsoft.Data.Sqlite.SqliteConnection Open(UserContext user) =>
        _host.Services.GetRequiredService<UserDatabases>().Open(user.Database);

    private sealed record Status(long TasksRunning, string? EnrichmentLastRun, string? DiscoveryLastRun);
}
