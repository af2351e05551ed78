using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Demo.Sandboxes;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Tasks;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>
/// Discovery works in the demo (upstream's demo blocked it): the seed's search profiles name three boards,
/// configuration points their base URLs at a loopback server, and a visitor's run fills only their own sandbox. The
/// cloud's SSRF policy still holds: without the test allow-list the loopback board is refused before any connection.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class DemoDiscoveryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task DiscoveryFromTheAPIAndFromTheHomePageFillsOnlyTheVisitorsOwnSandbox()
    {
        await using var boards = await JobSiteServer.StartAsync(DemoBoardFixtures.Map);
        await using var demo = PointedAt(new DemoFactory(), boards).Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{boards.Port}");
        using var alice = demo.CreateVisitor();
        using var bob = demo.CreateVisitor();
        using var carol = demo.CreateVisitor();
        var seeded = (await CountsAsync(carol)).GetProperty("pending").GetInt64();

        using var queued = await alice.PostAsync($"{App}/api/tasks/discovery", null);
        Assert.Equal(HttpStatusCode.Accepted, queued.StatusCode);
        var aliceTask = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("task_id").GetInt64();
        Assert.Equal(("completed", "3 new listing(s) added"), await FinishedAsync(demo, alice, aliceTask));

        using var home = await DemoForms.SubmitPageFormAsync(bob, $"{App}/", "run-task", ("TaskType", "discovery"));
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("Discovery queued.", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(("completed", "3 new listing(s) added"), await FinishedAsync(demo, bob, await LatestDiscoveryAsync(demo, bob)));
        var homeAfter = await bob.GetStringAsync($"{App}/"); // the Home page tells what discovery found
        Assert.Contains("Recent results", homeAfter, StringComparison.Ordinal);
        Assert.Contains("3 new listing(s) added", homeAfter, StringComparison.Ordinal);

        Assert.Equal(DemoBoardFixtures.NewListingUrls, await NewUrlsAsync(alice));
        Assert.Equal(DemoBoardFixtures.NewListingUrls, await NewUrlsAsync(bob));
        Assert.Equal(seeded + 3, (await CountsAsync(alice)).GetProperty("pending").GetInt64());
        Assert.Equal(seeded, (await CountsAsync(carol)).GetProperty("pending").GetInt64());
        Assert.Empty(await NewUrlsAsync(carol));
    }

    [Fact]
    public async Task WithoutTheAllowListALoopbackBoardIsRefusedBeforeAnyConnection()
    {
        await using var boards = await JobSiteServer.StartAsync(DemoBoardFixtures.Map);
        await using var demo = PointedAt(new DemoFactory(), boards);
        using var visitor = demo.CreateVisitor();
        var before = await CountsAsync(visitor);

        using var queued = await visitor.PostAsync($"{App}/api/tasks/discovery", null);
        var taskId = (await queued.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("task_id").GetInt64();
        var (status, error) = await FinishedAsync(demo, visitor, taskId);

        Assert.Equal("failed", status);
        Assert.StartsWith("No board could be read: Refused to fetch 127.0.0.1: it resolves to 127.0.0.1, a loopback, private", error, StringComparison.Ordinal);
        Assert.Equal(0, boards.AcceptedConnections);
        Assert.Equal(before.GetProperty("total").GetInt64(), (await CountsAsync(visitor)).GetProperty("total").GetInt64());
    }

    /// <summary>The demo's board configuration, as an operator sets it (<c>Discovery__GreenhouseBaseUrl</c> and so on).</summary>
    private static DemoFactory PointedAt(DemoFactory demo, JobSiteServer boards) =>
        demo.Configure("Discovery:GreenhouseBaseUrl", boards.Address.AbsoluteUri)
            .Configure("Discovery:LeverBaseUrl", boards.Address.AbsoluteUri)
            .Configure("Discovery:AshbyBaseUrl", boards.Address.AbsoluteUri);

    private static async Task<string[]> NewUrlsAsync(HttpClient visitor) =>
        [.. (await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=500")).EnumerateArray()
            .Select(j => j.GetProperty("url").GetString()!)
            .Where(url => url.Contains("/example-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)];

    private static async Task<long> LatestDiscoveryAsync(DemoFactory demo, HttpClient visitor) =>
        await WithSandboxAsync(demo, visitor, db => db.ExecuteScalar<long>("SELECT max(id) FROM background_tasks WHERE task_type = 'discovery';"));

    private static async Task<(string Status, string? Error)> FinishedAsync(DemoFactory demo, HttpClient visitor, long taskId)
    {
        return await Eventually.UntilAsync(
            () => WithSandboxAsync(demo, visitor, db =>
                db.QuerySingle<(string Status, string? Error)>("SELECT status, error FROM background_tasks WHERE id = @taskId;", new { taskId })),
            row => row.Status is "completed" or "failed",
            Bound);
    }

    private static async Task<T> WithSandboxAsync<T>(DemoFactory demo, HttpClient visitor, Func<Microsoft.Data.Sqlite.SqliteConnection, T> read)
    {
        var visitorId = await VisitorIdAsync(visitor);
        using var lease = await demo.Services.GetRequiredService<DemoSandboxes>().EnterAsync(visitorId, CancellationToken.None);
        using var db = demo.Services.GetRequiredService<UserDatabases>().Open(lease.User.Database);
        return read(db);
    }
}
