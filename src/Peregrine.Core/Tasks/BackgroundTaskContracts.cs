using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Peregrine.Sessions;

namespace Peregrine.Tasks;

/// <summary>
/// Executes one task type (<c>scrape_url</c>, <c>discovery</c>, <c>cover_letter</c>, …) for the task runner. A handler
/// never keeps a DB connection open while it waits on the network: it reads what it needs through
/// <see cref="TaskRun.WithDatabaseAsync{T}"/>, does its I/O with no connection held, then writes its result the same way,
/// so a restore or an erasure (which take the file's exclusive hold) waits at most one short DB step.
/// </summary>
public interface IBackgroundTaskHandler
{
    string TaskType { get; }

    /// <summary>
    /// Runs the task. The returned text is upstream's result message, stored in the task's <c>error</c> column on
    /// completion ("3 new listing(s) added", "Engineer @ Acme"). Throw <see cref="TaskFailedException"/> to fail the
    /// task with a message the user may read; any other exception fails it with a generic message (never its text).
    /// Cancellation (user cancel, kill, shutdown) arrives through <paramref name="cancellationToken"/>.
    /// </summary>
    Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken);
}

/// <summary>One execution of one <c>background_tasks</c> row, as the runner hands it to a handler.</summary>
public abstract class TaskRun
{
    public required long TaskId { get; init; }

    public required string TaskType { get; init; }

    /// <summary>0 for a task that is not about one job (discovery, enrichment).</summary>
    public required long JobId { get; init; }

    public string? Params { get; init; }

    /// <summary>Whose task this is: the tree, config directory and DB (with its key) of the owner.</summary>
    public required UserContext User { get; init; }

    /// <summary>Runs one short step on the owner's DB; the connection is closed again before this returns.</summary>
    public abstract Task<T> WithDatabaseAsync<T>(Func<SqliteConnection, T> step, CancellationToken cancellationToken);

    /// <summary>Records progress in the task's <c>stage</c> column (what the SPA's task indicator shows).</summary>
    public abstract Task ReportStageAsync(string stage, CancellationToken cancellationToken);
}

/// <summary>Fails a task with a message meant for its owner (stored in the task's <c>error</c>).</summary>
public class TaskFailedException(string message) : Exception(message);

/// <summary>
/// Tells the runner that a user's DB has queued work, so users with no work are never polled. Endpoints go through
/// <see cref="TaskEnqueue.EnqueueAsync{T}"/>: <see cref="ExpectWork"/> before the commit, its disposal after. The default
/// (processes without a runner) only writes the marker; the task runner replaces it.
/// </summary>
public interface ITaskWakeup
{
    /// <summary>Queued work was committed: run it.</summary>
    void Wake(UserContext user);

    /// <summary>
    /// Called before an enqueue commits: makes the user's <see cref="QueuedWorkMarkers">marker</see> durable (and
    /// throws if it cannot, so nothing is committed that a crash could lose), and keeps the runner from clearing it
    /// until the returned scope is disposed, after the commit. Disposing it wakes the runner.
    /// </summary>
    IDisposable ExpectWork(UserContext user);
}

/// <summary>
/// Tells the runner that the cancel or kill endpoint has just failed a user's task rows, so a task that is running stops
/// now (its cancellation token fires) instead of at its next DB step.
/// </summary>
public interface ITaskCancellation
{
    void Cancel(UserContext user, long taskId);

    void CancelAll(UserContext user);
}

internal sealed class NoTaskWakeup : ITaskWakeup, ITaskCancellation
{
    public void Wake(UserContext user)
    {
    }

    /// <summary>The marker still matters here: it is how a process that runs tasks finds this work at its start-up.</summary>
    public IDisposable ExpectWork(UserContext user)
    {
        QueuedWorkMarkers.Set(user);
        return NothingToWake.Instance;
    }

    private sealed class NothingToWake : IDisposable
    {
        public static readonly NothingToWake Instance = new();

        public void Dispose()
        {
        }
    }

    public void Cancel(UserContext user, long taskId)
    {
    }

    public void CancelAll(UserContext user)
    {
    }
}

public static class BackgroundTaskRegistration
{
    /// <summary>Registers a handler for its task type (one handler per type).</summary>
    public static IServiceCollection AddBackgroundTaskHandler<THandler>(this IServiceCollection services)
        where THandler : class, IBackgroundTaskHandler
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IBackgroundTaskHandler, THandler>());
        return services;
    }

    internal static IServiceCollection AddTaskWakeupDefault(this IServiceCollection services)
    {
        services.TryAddSingleton<ITaskWakeup, NoTaskWakeup>();
        services.TryAddSingleton<ITaskCancellation, NoTaskWakeup>();
        return services;
    }
}
