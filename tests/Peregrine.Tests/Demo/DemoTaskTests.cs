using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Demo.Sandboxes;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>The task runner works on visitors' sandboxes unchanged, and finds their queued work again after a restart.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class DemoTaskTests
{
    private const string ProbeType = "demo_probe";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AVisitorsTaskRunsInTheirOwnSandbox()
    {
        await using var demo = new DemoFactory { ExtraServices = s => s.AddBackgroundTaskHandler<RetitleProbe>() };
        using var alice = demo.CreateVisitor();
        using var bob = demo.CreateVisitor();
        var aliceUser = await EnterAsync(demo, await VisitorIdAsync(alice));
        var bobUser = await EnterAsync(demo, await VisitorIdAsync(bob));

        var taskId = Queue(demo, aliceUser);
        demo.Services.GetRequiredService<ITaskWakeup>().Wake(aliceUser);

        Assert.Equal("completed", await FinishedAsync(demo, aliceUser, taskId));
        Assert.Equal(24, Titles(demo, aliceUser).Count(t => t == RetitleProbe.Title));
        Assert.DoesNotContain(RetitleProbe.Title, Titles(demo, bobUser));
    }

    [Fact]
    public async Task QueuedWorkInASandboxResumesAfterARestart()
    {
        using var root = new TestDirectory("peregrine-demo-restart");
        UserContext visitor;
        long taskId;
        await using (var stopped = new DemoFactory(root).Configure("Tasks:MaxConcurrency", "0"))
        {
            using var client = stopped.CreateVisitor();
            visitor = await EnterAsync(stopped, await VisitorIdAsync(client));
            taskId = Queue(stopped, visitor);
            stopped.Services.GetRequiredService<ITaskWakeup>().Wake(visitor);
            Assert.True(QueuedWorkMarkers.IsSet(visitor));
        }

        await using var restarted = new DemoFactory(root) { ExtraServices = s => s.AddBackgroundTaskHandler<RetitleProbe>() };
        _ = restarted.Server;

        Assert.Equal("completed", await FinishedAsync(restarted, visitor, taskId));
    }

    private static async Task<UserContext> EnterAsync(DemoFactory demo, string visitorId)
    {
        using var lease = await demo.Services.GetRequiredService<DemoSandboxes>().EnterAsync(visitorId, CancellationToken.None);
        return lease.User;
    }

    private static long Queue(DemoFactory demo, UserContext user)
    {
        using var db = demo.Services.GetRequiredService<UserDatabases>().Open(user.Database);
        return BackgroundTasks.Submit(db, ProbeType, 0, parameters: null, TimeProvider.System).TaskId;
    }

    private static Task<string> FinishedAsync(DemoFactory demo, UserContext user, long taskId) =>
        Eventually.UntilAsync(() =>
        {
            using var db = demo.Services.GetRequiredService<UserDatabases>().Open(user.Database);
            var status = db.ExecuteScalar<string>("SELECT status FROM background_tasks WHERE id = @taskId;", new { taskId });
            return status is "completed" or "failed" ? status : null;
        }, Bound);

    private static List<string> Titles(DemoFactory demo, UserContext user)
    {
        using var db = demo.Services.GetRequiredService<UserDatabases>().Open(user.Database);
        return [.. db.Query<string>("SELECT title FROM jobs;")];
    }

    /// <summary>Writes into whatever DB the runner hands it: the sandbox it ran in is visible in the titles.</summary>
    private sealed class RetitleProbe : IBackgroundTaskHandler
    {
        public const string Title = "retitled by the visitor's task";

        public string TaskType => ProbeType;

        public Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken) =>
            run.WithDatabaseAsync<string?>(db => $"{db.Execute("UPDATE jobs SET title = @Title;", new { Title })} retitled", cancellationToken);
    }
}
