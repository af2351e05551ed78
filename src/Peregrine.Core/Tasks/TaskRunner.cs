using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// Executes the queued <c>background_tasks</c> rows of every user's DB in this process. The rows are the queue (a restart
/// resumes them); memory holds only which users have work (<see cref="FairTaskQueue"/>), learnt from
/// <see cref="ITaskWakeup.Wake"/> and, at start-up, from the <see cref="QueuedWorkMarkers"/>. At most
/// <see cref="TaskRunnerOptions.MaxConcurrency"/> tasks run at once, at most one of a type per user, and users take turns.
/// </summary>
public sealed partial class TaskRunner : BackgroundService, ITaskWakeup, ITaskCancellation
{
    public const string UnexpectedFailure = "The task failed unexpectedly. Please try again.";

    private readonly FairTaskQueue _queue = new();
    private readonly Lock[] _markerStripes = [.. Enumerable.Range(0, 64).Select(_ => new Lock())];
    private readonly Dictionary<string, IBackgroundTaskHandler> _handlers;
    private readonly UserDatabases _databases;
    private readonly ITaskOwnerDirectory _owners;
    private readonly TimeProvider _time;
    private readonly TaskRunnerOptions _options;
    private readonly ILogger<TaskRunner> _logger;
    private readonly Lock _inFlightGate = new();
    private readonly HashSet<Task> _inFlight = [];

    public TaskRunner(
        IEnumerable<IBackgroundTaskHandler> handlers,
        UserDatabases databases,
        ITaskOwnerDirectory owners,
        TimeProvider time,
        IOptions<TaskRunnerOptions> options,
        ILogger<TaskRunner> logger)
    {
        _handlers = handlers.ToDictionary(h => h.TaskType, StringComparer.Ordinal);
        _databases = databases;
        _owners = owners;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Tasks running in this process now (all users).</summary>
    public int RunningCount => _queue.RunningCount;

    /// <summary>Users this process holds in memory because they have (or just had) queued work.</summary>
    public int ActiveOwnerCount => _queue.OwnerCount;

    public void Wake(UserContext user)
    {
        // Under the user's stripe: a drain that removes the marker cannot interleave with a wake that needs it.
        lock (StripeOf(user))
        {
            if (_queue.Wake(user))
            {
                TrySetMarker(user);
            }
        }
    }

    public IDisposable ExpectWork(UserContext user)
    {
        // Under the user's stripe, as a drain's clear is: it either ran before (and the marker is written again here)
        // or sees the expectation and keeps the marker.
        lock (StripeOf(user))
        {
            var expected = _queue.Expect(user);
            try
            {
                QueuedWorkMarkers.Set(user);
                return expected;
            }
            catch
            {
                expected.Dispose();
                throw;
            }
        }
    }

    public void Cancel(UserContext user, long taskId) => _queue.Cancel(user, taskId);

    public void CancelAll(UserContext user) => _queue.Cancel(user, taskId: null);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.MaxConcurrency <= 0)
        {
            LogNotExecuting(_logger);
            return;
        }

        // Off the start-up path: the scan touches the data root, and the host should not wait for it.
        await Task.Yield();
        FindQueuedWork();
        using var slots = new SemaphoreSlim(_options.MaxConcurrency, _options.MaxConcurrency);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var turn = await _queue.NextAsync(stoppingToken);
                // Held from before the claim until the task ends: the task waits on the network with no connection open,
                // and its file must not be prepared again meanwhile (that would fail it as interrupted by a restart).
                var kept = _databases.Keep(turn.Owner.User.Database);
                var (claimed, queueRead) = await TryClaimAsync(turn, stoppingToken);
                if (claimed is not null)
                {
                    Start(turn.Owner, claimed, slots, kept, stoppingToken);
                }
                else
                {
                    kept.Dispose();
                    slots.Release();
                    NothingClaimed(turn, queueRead);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        Task[] running;
        lock (_inFlightGate)
        {
            running = [.. _inFlight];
        }

        // Running tasks see the stopping token and go back to the queue; wait for them so the rows say so.
        await Task.WhenAll(running).WaitAsync(_options.ShutdownGrace, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private void FindQueuedWork()
    {
        try
        {
            var found = 0;
            foreach (var user in _owners.WithQueuedWork())
            {
                _queue.Wake(user);
                found++;
            }

            LogFoundQueuedWork(_logger, found);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogScanFailed(_logger, e);
        }
    }

    /// <summary>The claimed task, if any, and whether the queue could be read at all.</summary>
    private async Task<(ClaimedTask? Task, bool QueueRead)> TryClaimAsync(OwnerTurn turn, CancellationToken stoppingToken)
    {
        var user = turn.Owner.User;
        // An erased tree must not be re-created by opening its DB.
        if (!File.Exists(user.Database.Path))
        {
            return (null, false);
        }

        try
        {
            await using var db = await _databases.OpenAsync(user.Database, stoppingToken);
            return (BackgroundTasks.ClaimNext(db, turn.BusyTypes, _time), true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogClaimFailed(_logger, e, user.UserId);
            return (null, false);
        }
    }

    private void NothingClaimed(OwnerTurn turn, bool queueRead)
    {
        var user = turn.Owner.User;
        lock (StripeOf(user))
        {
            // The marker goes only when the queue was read and found empty: a DB that could not be opened keeps it,
            // so the next wake or start-up retries.
            if (!_queue.NothingClaimable(turn) || !queueRead)
            {
                return;
            }

            try
            {
                QueuedWorkMarkers.Clear(user);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogMarkerFailed(_logger, e, user.UserId);
            }
        }
    }

    private void Start(TaskOwner owner, ClaimedTask claimed, SemaphoreSlim slots, IDisposable kept, CancellationToken stoppingToken)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _queue.Started(owner, claimed, cancellation);
        var execution = Task.Run(() => ExecuteTaskAsync(owner, claimed, cancellation, stoppingToken), CancellationToken.None);
        lock (_inFlightGate)
        {
            _inFlight.Add(execution);
        }

        execution.ContinueWith(
            done =>
            {
                lock (_inFlightGate)
                {
                    _inFlight.Remove(done);
                }

                _queue.Finished(owner, claimed.Id);
                cancellation.Dispose();
                kept.Dispose();
                slots.Release();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task ExecuteTaskAsync(TaskOwner owner, ClaimedTask claimed, CancellationTokenSource cancellation, CancellationToken stoppingToken)
    {
        var run = new RunnerTaskRun(_databases, _time, cancellation)
        {
            TaskId = claimed.Id,
            TaskType = claimed.TaskType,
            JobId = claimed.JobId,
            Params = claimed.Params,
            User = owner.User,
        };
        try
        {
            if (!_handlers.TryGetValue(claimed.TaskType, out var handler))
            {
                await RecordAsync(run, db => BackgroundTasks.Finish(db, run.TaskId, false, $"Unknown task_type: '{claimed.TaskType}'", _time));
                return;
            }

            var message = await handler.RunAsync(run, cancellation.Token);
            await RecordAsync(run, db => BackgroundTasks.Finish(db, run.TaskId, true, message, _time));
        }
        catch (TaskFailedException e)
        {
            await RecordAsync(run, db => BackgroundTasks.Finish(db, run.TaskId, false, e.Message, _time));
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            // A user's cancel or kill already failed the row with its message; a shutdown puts it back in the queue.
            if (!run.Abandoned && stoppingToken.IsCancellationRequested)
            {
                await RecordAsync(run, db => BackgroundTasks.Requeue(db, run.TaskId, _time));
            }
        }
        catch (Exception e)
        {
            LogTaskFailed(_logger, e, claimed.Id, claimed.TaskType, owner.User.UserId);
            await RecordAsync(run, db => BackgroundTasks.Finish(db, run.TaskId, false, UnexpectedFailure, _time));
        }
    }

    /// <summary>Writes a task's outcome, even during shutdown; a DB that went away (erasure) has nothing to record.</summary>
    private async Task RecordAsync(RunnerTaskRun run, Func<Microsoft.Data.Sqlite.SqliteConnection, bool> write)
    {
        try
        {
            if (File.Exists(run.User.Database.Path))
            {
                await using var db = await _databases.OpenAsync(run.User.Database, CancellationToken.None);
                write(db);
            }
        }
        catch (Exception e)
        {
            LogRecordFailed(_logger, e, run.TaskId, run.User.UserId);
        }
    }

    private void TrySetMarker(UserContext user)
    {
        try
        {
            QueuedWorkMarkers.Set(user);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The wake itself still works; only a crash before the queue drains would forget this user until their next wake.
            LogMarkerFailed(_logger, e, user.UserId);
        }
    }

    private Lock StripeOf(UserContext user) =>
        _markerStripes[(int)((uint)StringComparer.Ordinal.GetHashCode(user.Database.Path) % (uint)_markerStripes.Length)];

    [LoggerMessage(LogLevel.Information, "Task runner is off (Tasks:MaxConcurrency = 0): queued tasks wait for a process that runs them")]
    private static partial void LogNotExecuting(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Task runner found {Count} user(s) with queued work at start-up")]
    private static partial void LogFoundQueuedWork(ILogger logger, int count);

    [LoggerMessage(LogLevel.Error, "Task runner could not scan the data root for queued work")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Task runner could not claim a task of {OwnerId}")]
    private static partial void LogClaimFailed(ILogger logger, Exception exception, string ownerId);

    [LoggerMessage(LogLevel.Warning, "Task runner could not update the queued-work marker of {OwnerId}")]
    private static partial void LogMarkerFailed(ILogger logger, Exception exception, string ownerId);

    [LoggerMessage(LogLevel.Error, "Task {TaskId} ({TaskType}) of {OwnerId} failed")]
    private static partial void LogTaskFailed(ILogger logger, Exception exception, long taskId, string taskType, string ownerId);

    [LoggerMessage(LogLevel.Error, "Task runner could not record the outcome of task {TaskId} of {OwnerId}")]
    private static partial void LogRecordFailed(ILogger logger, Exception exception, long taskId, string ownerId);
}
