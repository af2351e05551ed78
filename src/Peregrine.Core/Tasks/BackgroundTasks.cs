using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Jobs;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// The <c>background_tasks</c> rules of upstream: states <c>queued → running → completed | failed</c>; at most one
/// queued or running row per (type, job), or per (type, job, params) when params are given; the <c>error</c> column
/// carries the failure or the result message. All times are <see cref="Timestamps"/>.
/// </summary>
public static class BackgroundTasks
{
    public const string CancelledByUser = "Cancelled by user";
    public const string KilledByUser = "Killed by user";
    public const string InterruptedByRestart = "Interrupted by restart";

    /// <summary>Queues a task unless an equal one is already queued or running; returns that one's id then.</summary>
    public static TaskSubmission Submit(SqliteConnection connection, string taskType, long jobId, string? parameters, TimeProvider time, SqliteTransaction? transaction = null)
    {
        const string findActive = """
            SELECT id FROM background_tasks
            WHERE task_type = @taskType AND job_id = @jobId AND status IN ('queued', 'running')
              AND (@parameters IS NULL OR params = @parameters)
            ORDER BY id LIMIT 1;
            """;
        const string insert = """
            INSERT INTO background_tasks (task_type, job_id, params, status, created_at, updated_at)
            VALUES (@taskType, @jobId, @parameters, 'queued', @now, @now)
            RETURNING id;
            """;

        // Immediate: the check and the insert must see the same state, or two requests could both queue a duplicate.
        using var own = transaction is null ? connection.BeginTransaction(deferred: false) : null;
        var tx = transaction ?? own;
        var existing = connection.ExecuteScalar<long?>(findActive, new { taskType, jobId, parameters }, tx);
        if (existing is { } id)
        {
            return new TaskSubmission(id, IsNew: false);
        }

        var created = connection.ExecuteScalar<long>(insert, new { taskType, jobId, parameters, now = Timestamps.Now(time) }, tx);
        own?.Commit();
        return new TaskSubmission(created, IsNew: true);
    }

    /// <summary>Cancels one task: <c>null</c> when there is no such task, <c>false</c> when it had already finished.</summary>
    public static bool? Cancel(SqliteConnection connection, long taskId, TimeProvider time)
    {
        const string cancel = """
            UPDATE background_tasks SET status = 'failed', error = @message, finished_at = @now, updated_at = @now
            WHERE id = @taskId AND status IN ('queued', 'running')
            RETURNING task_type AS TaskType, (SELECT url FROM jobs WHERE jobs.id = background_tasks.job_id) AS Url, job_id AS JobId;
            """;
        const string exists = "SELECT count(*) FROM background_tasks WHERE id = @taskId;";

        if (connection.QuerySingleOrDefault<CancelledTask>(cancel, new { taskId, message = CancelledByUser, now = Timestamps.Now(time) }) is { } cancelled)
        {
            if (cancelled is { TaskType: TaskTypes.ScrapeUrl, Url: { } url })
            {
                ImportPlaceholder.ReplaceAfterFailedImport(connection, cancelled.JobId, url);
            }

            return true;
        }

        return connection.ExecuteScalar<long>(exists, new { taskId }) > 0 ? false : null;
    }

    public static int KillAll(SqliteConnection connection, TimeProvider time) =>
        FailActive(connection, ["queued", "running"], KilledByUser, time);

    /// <summary>Run on the first open of a DB in a process: nothing is running any more. Queued rows survive, as upstream.</summary>
    public static int FailInterrupted(SqliteConnection connection, TimeProvider time) =>
        FailActive(connection, ["running"], InterruptedByRestart, time);

    /// <summary>The columns of <see cref="ActiveTask"/>: a task with the title and company of its job, if any.</summary>
    private const string TaskWithJob = """
        SELECT t.id, t.task_type, t.job_id, t.params, t.status, t.stage, t.error,
               t.created_at, t.started_at, t.updated_at, j.title, j.company
        FROM background_tasks t LEFT JOIN jobs j ON j.id = t.job_id
        """;

    public static IReadOnlyList<ActiveTask> Active(SqliteConnection connection)
    {
        const string sql = $"""
            {TaskWithJob}
            WHERE t.status IN ('queued', 'running')
            ORDER BY t.created_at, t.id;
            """;
        return [.. connection.Query<ActiveTask>(sql)];
    }

    /// <summary>The <paramref name="limit"/> most recently finished tasks, newest first: what discovery found, why an import failed.</summary>
    public static IReadOnlyList<ActiveTask> RecentlyFinished(SqliteConnection connection, int limit)
    {
        const string sql = $"""
            {TaskWithJob}
            WHERE t.status IN ('completed', 'failed')
            ORDER BY t.finished_at DESC, t.id DESC LIMIT @limit;
            """;
        return [.. connection.Query<ActiveTask>(sql, new { limit })];
    }

    /// <summary>The newest task of a type for a job, as the SPA polls it; <c>status = "none"</c> when there is none.</summary>
    public static TaskProgress LatestFor(SqliteConnection connection, string taskType, long jobId)
    {
        const string sql = """
            SELECT status, stage, error AS message FROM background_tasks
            WHERE task_type = @taskType AND job_id = @jobId
            ORDER BY id DESC LIMIT 1;
            """;
        return connection.QuerySingleOrDefault<TaskProgress>(sql, new { taskType, jobId }) ?? new TaskProgress("none", null, null);
    }

    /// <summary>
    /// Marks the oldest queued task whose type is not in <paramref name="busyTypes"/> as running and returns it; one
    /// statement, so two runners can never claim the same row.
    /// </summary>
    public static ClaimedTask? ClaimNext(SqliteConnection connection, IReadOnlyCollection<string> busyTypes, TimeProvider time)
    {
        const string sql = """
            UPDATE background_tasks SET status = 'running', started_at = @now, updated_at = @now, stage = NULL
            WHERE id = (SELECT id FROM background_tasks
                        WHERE status = 'queued' AND task_type NOT IN @busyTypes
                        ORDER BY id LIMIT 1)
            RETURNING id, task_type, coalesce(job_id, 0) AS job_id, params;
            """;
        return connection.QuerySingleOrDefault<ClaimedTask>(sql, new { busyTypes, now = Timestamps.Now(time) });
    }

    public static bool IsRunning(SqliteConnection connection, long taskId)
    {
        const string sql = "SELECT count(*) FROM background_tasks WHERE id = @taskId AND status = 'running';";
        return connection.ExecuteScalar<long>(sql, new { taskId }) > 0;
    }

    public static void SetStage(SqliteConnection connection, long taskId, string stage, TimeProvider time)
    {
        const string sql = "UPDATE background_tasks SET stage = @stage, updated_at = @now WHERE id = @taskId AND status = 'running';";
        connection.Execute(sql, new { taskId, stage, now = Timestamps.Now(time) });
    }

    /// <summary>
    /// Ends a running task as <c>completed</c> or <c>failed</c> with its message. A row that is no longer running (cancelled,
    /// killed, or a DB replaced by a restore) is left as it is: false.
    /// </summary>
    public static bool Finish(SqliteConnection connection, long taskId, bool succeeded, string? message, TimeProvider time)
    {
        const string sql = """
            UPDATE background_tasks SET status = @status, error = @message, finished_at = @now, updated_at = @now
            WHERE id = @taskId AND status = 'running';
            """;
        var status = succeeded ? "completed" : "failed";
        return connection.Execute(sql, new { taskId, status, message, now = Timestamps.Now(time) }) > 0;
    }

    /// <summary>A running task stopped by a graceful shutdown goes back to the queue, so the next start resumes it.</summary>
    public static bool Requeue(SqliteConnection connection, long taskId, TimeProvider time)
    {
        const string sql = """
            UPDATE background_tasks SET status = 'queued', started_at = NULL, stage = NULL, updated_at = @now
            WHERE id = @taskId AND status = 'running';
            """;
        return connection.Execute(sql, new { taskId, now = Timestamps.Now(time) }) > 0;
    }

    private static int FailActive(SqliteConnection connection, string[] statuses, string message, TimeProvider time)
    {
        const string unfinishedImports = """
            SELECT j.id AS JobId, j.url AS Url FROM background_tasks t JOIN jobs j ON j.id = t.job_id
            WHERE t.task_type = @scrape AND t.status IN @statuses AND j.title = @placeholder;
            """;
        const string fail = """
            UPDATE background_tasks SET status = 'failed', error = @message, finished_at = @now, updated_at = @now
            WHERE status IN @statuses;
            """;
        using var transaction = connection.BeginTransaction();
        var imports = connection.Query<(long JobId, string Url)>(unfinishedImports, new { statuses, scrape = TaskTypes.ScrapeUrl, placeholder = ImportPlaceholder.Title }, transaction).ToList();
        var failed = connection.Execute(fail, new { statuses, message, now = Timestamps.Now(time) }, transaction);
        foreach (var (jobId, url) in imports)
        {
            ImportPlaceholder.ReplaceAfterFailedImport(connection, jobId, url, transaction);
        }

        transaction.Commit();
        return failed;
    }
}

internal sealed record CancelledTask(string TaskType, string? Url, long JobId);

public sealed record ClaimedTask(long Id, string TaskType, long JobId, string? Params);
