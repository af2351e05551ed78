using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Scraping;

namespace Peregrine.Tests.Tasks;

/// <summary>
/// Upstream's task lifecycle with a real crash: the Api process is SIGKILLed while a scrape is waiting on a job site that holds the
/// response open. The next process fails that row with "Interrupted by restart" (by itself, at start-up), and adding
/// the URL again queues a new scrape that completes.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class TaskKillTests : IDisposable
{
    private readonly TestDirectory _root = new("peregrine-kill");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ATaskRunningWhenTheProcessIsKilledIsInterruptedAndCanBeQueuedAgain()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = 0;
        await using var site = await JobSiteServer.StartAsync(app => app.MapGet("/held", async (HttpContext context) =>
        {
            // The first fetch is held open until its connection dies with the process; later ones are answered.
            if (Interlocked.Increment(ref requests) == 1)
            {
                held.TrySetResult();
                await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            }

            return Results.Content(JobSiteServer.JsonLdPage("held"), "text/html; charset=utf-8");
        }));
        var allowSite = ("Fetch__AllowedAddresses__0", $"127.0.0.1:{site.Port}");
        var userId = Guid.NewGuid().ToString();
        var user = TaskRestartTests.CloudUser(_root.Path, userId);
        var add = new { urls = new[] { site.Url("/held") } };

        long taskId;
        await using (var doomed = await ApiServer.StartAsync(_root.Path, allowSite))
        {
            using var client = doomed.CreateClient(userId);
            (await client.PostAsJsonAsync("/peregrine/api/jobs/add", add)).EnsureSuccessStatusCode();
            await held.Task.WaitAsync(TaskTestHost.Bound);
            var active = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/tasks");
            var task = Assert.Single(active.EnumerateArray());
            Assert.Equal(("scrape_url", "running"), (task.GetProperty("task_type").GetString(), task.GetProperty("status").GetString()));
            taskId = task.GetProperty("id").GetInt64();

            await doomed.KillAsync(TaskTestHost.Bound);
        }

        Assert.Equal(("running", null), TaskRestartTests.Row(user, taskId));

        await using var restarted = await ApiServer.StartAsync(_root.Path, allowSite);

        // No request: the runner's start-up scan finds the user's marker, and opening the DB fails the orphan.
        await Eventually.UntilAsync(() => TaskRestartTests.Row(user, taskId)?.Status == "failed", TaskTestHost.Bound);
        Assert.Equal(("failed", "Interrupted by restart"), TaskRestartTests.Row(user, taskId));

        using var again = restarted.CreateClient(userId);
        var requeued = await (await again.PostAsJsonAsync("/peregrine/api/jobs/add", add)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, requeued.GetProperty("queued").GetInt32());
        var job = Assert.Single(await ScrapeUrlTests.ImportedJobsAsync(again, 1));
        Assert.Equal($"{JobSiteServer.PostingTitle} held", job.GetProperty("title").GetString());
        Assert.Equal(2, Volatile.Read(ref requests));
    }
}
