using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Tests.Ai;

/// <summary>
/// Runs one queued <c>background_tasks</c> row through its real handler, the way the runner does (running → completed
/// or failed, the handler's message in <c>error</c>), for handler tests that do not need the runner's scheduling.
/// </summary>
public sealed class InlineTaskRun(UserDatabases databases) : TaskRun
{
    public override async Task<T> WithDatabaseAsync<T>(Func<SqliteConnection, T> step, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(User.Database, cancellationToken);
        return step(db);
    }

    public override async Task ReportStageAsync(string stage, CancellationToken cancellationToken) =>
        await WithDatabaseAsync(db => db.Execute("UPDATE background_tasks SET stage = @stage WHERE id = @TaskId;", new { stage, TaskId }), cancellationToken);

    /// <summary>Runs the oldest queued task of <paramref name="taskType"/>; returns its final (status, error).</summary>
    public static async Task<(string Status, string? Error)> RunNextAsync(
        UserDatabases databases, UserContext user, IBackgroundTaskHandler handler, CancellationToken cancellationToken)
    {
        (long Id, long JobId, string? Params) row;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            row = db.QuerySingle<(long, long, string?)>(
                "SELECT id, job_id, params FROM background_tasks WHERE task_type = @type AND status = 'queued' ORDER BY id LIMIT 1;",
                new { type = handler.TaskType });
            db.Execute("UPDATE background_tasks SET status = 'running' WHERE id = @Id;", new { row.Id });
        }

        var run = new InlineTaskRun(databases) { TaskId = row.Id, TaskType = handler.TaskType, JobId = row.JobId, Params = row.Params, User = user };
        string status, message;
        try
        {
            message = await handler.RunAsync(run, cancellationToken) ?? string.Empty;
            status = "completed";
        }
        catch (TaskFailedException e)
        {
            (status, message) = ("failed", e.Message);
        }

        await run.WithDatabaseAsync(db => db.Execute("UPDATE background_tasks SET status = @status, error = @message WHERE id = @Id;", new { status, message, row.Id }), cancellationToken);
        return (status, message);
    }
}
