using Dapper;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// The user's <c>background_tasks</c>, for the JSON API (<see cref="TasksApi"/>, <see cref="SystemStatusApi"/>) and the
/// Home page alike: what runs, what finished, start one by hand, cancel one or all. Queueing goes through
/// <see cref="TaskEnqueue"/>, so a crash after the commit loses nothing.
/// </summary>
public sealed class TasksService(UserDatabases databases, ITaskWakeup wakeup, ITaskCancellation running, TimeProvider time)
{
    public async Task<IReadOnlyList<ActiveTask>> ActiveAsync(UserContext user, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return BackgroundTasks.Active(db);
    }

    /// <summary>Queued and running tasks, and the <paramref name="finished"/> most recently finished ones, from one open.</summary>
    public async Task<TaskOverview> OverviewAsync(UserContext user, int finished, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return new TaskOverview(BackgroundTasks.Active(db), BackgroundTasks.RecentlyFinished(db, finished));
    }

    /// <summary>
    /// Queues a task about no single job (<see cref="TaskTypes.StartedByHand"/>); an equal queued or running task is
    /// reused (<c>is_new: false</c>). Any other type is refused.
    /// </summary>
    public async Task<Outcome<TaskSubmission>> StartAsync(UserContext user, string? taskType, CancellationToken cancellationToken)
    {
        if (taskType is null || !TaskTypes.StartedByHand.Contains(taskType))
        {
            return Refusal.BadRequest($"Choose {string.Join(" or ", TaskTypes.StartedByHand.Select(t => TaskTypes.Label(t).ToLowerInvariant()))}.");
        }

        return await wakeup.EnqueueAsync(
            databases, user, db => Task.FromResult(BackgroundTasks.Submit(db, taskType, jobId: 0, parameters: null, time)), cancellationToken);
    }

    /// <summary><c>{ok: false}</c> for a task that already finished, as upstream; refused when it is not the caller's.</summary>
    public async Task<Outcome<OkResponse>> CancelAsync(UserContext user, long taskId, CancellationToken cancellationToken)
    {
        bool? cancelled;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            cancelled = BackgroundTasks.Cancel(db, taskId, time);
        }

        // After the row says "Cancelled by user": the stopped task finds it so and records nothing more.
        if (cancelled == true)
        {
            running.Cancel(user, taskId);
        }

        return cancelled is { } ok ? new OkResponse(ok) : Refusal.NotFound("Task not found");
    }

    /// <summary>Fails every queued and running task and stops the running ones; how many were failed.</summary>
    public async Task<KilledResponse> KillAllAsync(UserContext user, CancellationToken cancellationToken)
    {
        int killed;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            killed = BackgroundTasks.KillAll(db, time);
        }

        running.CancelAll(user);
        return new KilledResponse(killed);
    }

    /// <summary>The newest task of a type for a job, as the SPA polls it; null when the job is not this user's.</summary>
    public async Task<TaskProgress?> LatestForJobAsync(UserContext user, string taskType, long jobId, CancellationToken cancellationToken)
    {
        const string exists = "SELECT count(*) FROM jobs WHERE id = @jobId;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(exists, new { jobId }, cancellationToken: cancellationToken)) > 0
            ? BackgroundTasks.LatestFor(db, taskType, jobId)
            : null;
    }

    /// <summary>
    /// Upstream's system status, with real values where upstream had a stub: the caller's running tasks, when their last
    /// enrichment and discovery finished, and how many approved or applied jobs the integration has not received yet.
    /// Enrichment runs when asked (no schedule), so <c>enrichment_next_run</c> stays null.
    /// </summary>
    public async Task<SystemStatus> StatusAsync(UserContext user, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT
                (SELECT count(*) FROM background_tasks WHERE status = 'running') AS tasks_running,
                (SELECT max(finished_at) FROM background_tasks WHERE task_type = @enrich AND status = 'completed') AS enrichment_last_run,
                (SELECT max(finished_at) FROM background_tasks WHERE task_type = @discovery AND status = 'completed') AS discovery_last_run,
                (SELECT count(*) FROM jobs WHERE status IN ('approved', 'applied') AND coalesce(notion_page_id, '') = '') AS integration_unsynced;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var row = await db.QuerySingleAsync<(long TasksRunning, string? EnrichmentLastRun, string? DiscoveryLastRun, long IntegrationUnsynced)>(
            new CommandDefinition(sql, new { enrich = TaskTypes.EnrichDescriptions, discovery = TaskTypes.Discovery }, cancellationToken: cancellationToken));
        return new SystemStatus(
            EnrichmentEnabled: true,
            row.EnrichmentLastRun,
            EnrichmentNextRun: null,
            row.DiscoveryLastRun,
            row.TasksRunning,
            IntegrationName: "Notion",
            row.IntegrationUnsynced);
    }
}
