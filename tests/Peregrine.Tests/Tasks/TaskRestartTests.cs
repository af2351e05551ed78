using Dapper;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Tasks;

/// <summary>The queue is the rows: a real Api process started over a data root with queued work runs it, unasked.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class TaskRestartTests : IDisposable
{
    private readonly TestDirectory _root = new("peregrine-restart");

    public void Dispose() => _root.Dispose();

    internal static UserContext CloudUser(string dataRoot, string userId) =>
        CloudUserResolver.ForUser(
            new PeregrineOptions { CloudModeFlag = "true", CloudDataRoot = dataRoot, ServerSecret = ApiServer.ServerSecret },
            userId);

    /// <summary>Reads a task row straight from the file: no preparation step, so the running server's rows are left alone.</summary>
    internal static (string Status, string? Error)? Row(UserContext user, long taskId)
    {
        using var db = SqliteDatabase.Open(user.Database.Path, user.Database.Key, pooling: false);
        return db.QuerySingleOrDefault<(string, string?)>("SELECT status, error FROM background_tasks WHERE id = @taskId;", new { taskId });
    }

    [Fact]
    public async Task WorkQueuedBeforeStartIsRunWithoutAnyRequest()
    {
        var user = CloudUser(_root.Path, Guid.NewGuid().ToString());
        long taskId;
        using (var db = new UserDatabases().Open(user.Database))
        {
            taskId = BackgroundTasks.Submit(db, "no_such_type", 0, null, TimeProvider.System).TaskId;
        }

        QueuedWorkMarkers.Set(user);

        await using var server = await ApiServer.StartAsync(_root.Path);

        await Eventually.UntilAsync(() => Row(user, taskId)?.Status == "failed", TaskTestHost.Bound);
        Assert.Equal("Unknown task_type: 'no_such_type'", Row(user, taskId)?.Error);
        await Eventually.UntilAsync(() => !QueuedWorkMarkers.IsSet(user), TaskTestHost.Bound);
    }
}
