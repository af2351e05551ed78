using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Tasks;

/// <summary>The task runner in the real Api: results, failures, fairness, cancel and kill, start-up and shutdown.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class TaskRunnerTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly ProbeHandlers _probe = new();
    private TaskTestHost _host = null!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }

        await _factory.DisposeAsync();
    }

    private TaskTestHost Start(int maxConcurrency = 4)
    {
        _factory.Configure("Tasks:MaxConcurrency", maxConcurrency.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _host = new TaskTestHost(_factory, _probe.Register);
        return _host;
    }

    [Fact]
    public async Task QueuedTasksRunAndRecordTheirResultOrAReadableFailure()
    {
        var host = Start();
        var user = await host.SignInAsync(Guid.NewGuid().ToString());

        var echo = host.Queue(user, ProbeHandlers.Echo, "hello")[0];
        var typed = host.Queue(user, ProbeHandlers.Fail, "typed")[0];
        var crash = host.Queue(user, ProbeHandlers.Fail, "crash")[0];
        var unknown = host.Queue(user, "finetune_extract", [null])[0];

        Assert.Equal(new TaskRow(echo, "completed", "echoing", "echo hello"), await host.FinishedAsync(user, echo));
        Assert.Equal("Job 42 not found", (await host.FinishedAsync(user, typed)).Error);
        var crashed = await host.FinishedAsync(user, crash);
        Assert.Equal(("failed", TaskRunner.UnexpectedFailure), (crashed.Status, crashed.Error));
        var unknownRow = await host.FinishedAsync(user, unknown);
        Assert.Equal(("failed", "Unknown task_type: 'finetune_extract'"), (unknownRow.Status, unknownRow.Error));

        // Drained: the user is forgotten and their marker is gone, so a restart would not even look at their DB.
        await Eventually.UntilAsync(() => host.Runner.ActiveOwnerCount == 0 && !QueuedWorkMarkers.IsSet(user), TaskTestHost.Bound);
    }

    [Fact]
    public async Task OneBusyUserCannotStarveAnother()
    {
        var host = Start(maxConcurrency: 1);
        var busy = await host.SignInAsync(Guid.NewGuid().ToString());
        var quiet = await host.SignInAsync(Guid.NewGuid().ToString());

        var many = host.Queue(busy, ProbeHandlers.Echo, [.. Enumerable.Range(0, 200).Select(i => $"busy-{i}")]);
        var single = host.Queue(quiet, ProbeHandlers.Echo, "quiet")[0];

        await host.FinishedAsync(quiet, single);
        var order = _probe.Finished.ToList();
        var quietPosition = order.FindIndex(f => f.UserId == quiet.UserId);
        var busyBefore = order.Take(quietPosition).Count(f => f.UserId == busy.UserId);
        Assert.True(busyBefore < 9, $"{busyBefore} of the busy user's tasks finished before the quiet user's one");
        await host.FinishedAsync(busy, many[^1]);
    }

    [Fact]
    public async Task OnlyOneTaskOfATypeRunsPerUserWhileOtherTypesAndUsersProceed()
    {
        var host = Start(maxConcurrency: 4);
        var alice = await host.SignInAsync(Guid.NewGuid().ToString());
        var bob = await host.SignInAsync(Guid.NewGuid().ToString());

        var first = host.Queue(alice, ProbeHandlers.Block, "1")[0];
        var second = host.Queue(alice, ProbeHandlers.Block, "2")[0];
        var aliceEcho = host.Queue(alice, ProbeHandlers.Echo, "a")[0];
        var bobBlock = host.Queue(bob, ProbeHandlers.Block, "b")[0];

        await _probe.StartedOf(alice, first).Task.WaitAsync(TaskTestHost.Bound);
        await _probe.StartedOf(bob, bobBlock).Task.WaitAsync(TaskTestHost.Bound);
        Assert.Equal("completed", (await host.FinishedAsync(alice, aliceEcho)).Status);
        Assert.Equal("queued", host.Row(alice, second).Status);

        using var client = host.Client(alice.UserId);
        await client.DeleteAsync($"/peregrine/api/tasks/{first}");
        await _probe.StartedOf(alice, second).Task.WaitAsync(TaskTestHost.Bound);
        var killed = await (await client.PostAsync("/peregrine/api/tasks/kill", null)).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, killed.GetProperty("killed").GetInt64());
        using var bobClient = host.Client(bob.UserId);
        await bobClient.DeleteAsync($"/peregrine/api/tasks/{bobBlock}");
    }

    [Fact]
    public async Task CancelStopsTheRunningTaskAndItCanWriteNothingMore()
    {
        var host = Start();
        var user = await host.SignInAsync(Guid.NewGuid().ToString());
        using var client = host.Client(user.UserId);
        var job = await Jobs.JobsApiTests.CreateJob(client, "https://jobs.example/cancel", "Original title");
        var task = host.Queue(user, ProbeHandlers.Block, "x")[0];
        await _probe.StartedOf(user, task).Task.WaitAsync(TaskTestHost.Bound);
        Assert.Equal("running", host.Row(user, task).Status);

        var response = await client.DeleteAsync($"/peregrine/api/tasks/{task}");

        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean());
        Assert.True(await _probe.RefusalOf(user, task).Task.WaitAsync(TaskTestHost.Bound));
        var row = await host.FinishedAsync(user, task);
        Assert.Equal(("failed", BackgroundTasks.CancelledByUser), (row.Status, row.Error));
        Assert.Equal("Original title", (await client.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{job}")).GetProperty("title").GetString());

        // The runner goes on with the user's next task.
        var next = host.Queue(user, ProbeHandlers.Echo, "after")[0];
        Assert.Equal("completed", (await host.FinishedAsync(user, next)).Status);
    }

    [Fact]
    public async Task KillStopsEveryRunningTaskOfTheCallerOnly()
    {
        var host = Start();
        var alice = await host.SignInAsync(Guid.NewGuid().ToString());
        var bob = await host.SignInAsync(Guid.NewGuid().ToString());
        var aliceTask = host.Queue(alice, ProbeHandlers.Block, "a")[0];
        var bobTask = host.Queue(bob, ProbeHandlers.Block, "b")[0];
        await _probe.StartedOf(alice, aliceTask).Task.WaitAsync(TaskTestHost.Bound);
        await _probe.StartedOf(bob, bobTask).Task.WaitAsync(TaskTestHost.Bound);

        using var client = host.Client(alice.UserId);
        var killed = await (await client.PostAsync("/peregrine/api/tasks/kill", null)).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(1, killed.GetProperty("killed").GetInt64());
        Assert.True(await _probe.RefusalOf(alice, aliceTask).Task.WaitAsync(TaskTestHost.Bound));
        Assert.Equal(BackgroundTasks.KilledByUser, (await host.FinishedAsync(alice, aliceTask)).Error);
        await Task.Delay(200);
        Assert.False(_probe.CancelledWriteRefused.ContainsKey((bob.UserId, bobTask)));
        Assert.Equal("running", host.Row(bob, bobTask).Status);

        using var bobClient = host.Client(bob.UserId);
        await bobClient.PostAsync("/peregrine/api/tasks/kill", null);
        Assert.True(await _probe.RefusalOf(bob, bobTask).Task.WaitAsync(TaskTestHost.Bound));
    }

    [Fact]
    public async Task StartUpRunsMarkedUsersWorkAndOpensNoOtherUsersDb()
    {
        var users = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var databases = new UserDatabases();
        var queued = new Dictionary<string, long>();
        foreach (var (userId, index) in users.Select((u, i) => (u, i)))
        {
            var location = _factory.UserDatabase(userId);
            using var db = databases.Open(location);
            if (index < 2)
            {
                queued[userId] = BackgroundTasks.Submit(db, ProbeHandlers.Echo, 0, $"found-{index}", TimeProvider.System).TaskId;
            }
        }

        // Two users with work and their markers; a third with a stale marker and nothing queued; seventeen idle.
        foreach (var userId in users.Take(3))
        {
            File.WriteAllBytes(Path.Combine(_factory.UserDirectory(userId), QueuedWorkMarkers.FileName), []);
        }

        databases.Evict(_factory.UserDatabase(users[0]));
        var host = Start();

        foreach (var (userId, taskId) in queued)
        {
            Assert.Equal("completed", (await host.FinishedAsync(host.User(userId), taskId)).Status);
        }

        await Eventually.UntilAsync(() => users.Take(3).All(u => !File.Exists(Path.Combine(_factory.UserDirectory(u), QueuedWorkMarkers.FileName))), TaskTestHost.Bound);
        var opened = host.Services.GetRequiredService<UserDatabases>();
        Assert.All(users.Skip(3), u => Assert.False(opened.IsPooled(_factory.UserDatabase(u)), $"idle user {u} was opened"));
    }

    [Fact]
    public async Task GracefulShutdownPutsTheRunningTaskBackInTheQueue()
    {
        var host = Start();
        var user = await host.SignInAsync(Guid.NewGuid().ToString());
        var task = host.Queue(user, ProbeHandlers.Block, "x")[0];
        await _probe.StartedOf(user, task).Task.WaitAsync(TaskTestHost.Bound);

        await host.DisposeAsync();
        _host = null!;

        using var db = SqliteDatabase.Open(user.Database.Path, user.Database.Key, pooling: false);
        Assert.Equal(("queued", (string?)null), db.QuerySingle<(string, string?)>("SELECT status, started_at FROM background_tasks WHERE id = @task;", new { task }));
        Assert.True(QueuedWorkMarkers.IsSet(user));
    }
}
