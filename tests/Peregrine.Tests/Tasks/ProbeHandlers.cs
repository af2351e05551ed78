using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Sessions;
using Peregrine.Tasks;

namespace Peregrine.Tests.Tasks;

/// <summary>
/// Task types for testing the runner itself, registered through the real handler contract: <c>test_echo</c> (records
/// the order it finished in), <c>test_fail</c> (a user-facing failure, or a crash whose text must not leak) and
/// <c>test_block</c> (runs until cancelled, then tries to write anyway, as a careless handler would).
/// </summary>
internal sealed class ProbeHandlers
{
    public const string Echo = "test_echo";
    public const string Fail = "test_fail";
    public const string Block = "test_block";

    public ConcurrentQueue<(string UserId, long TaskId)> Finished { get; } = new();

    public ConcurrentDictionary<(string, long), TaskCompletionSource> Started { get; } = new();

    public ConcurrentDictionary<(string, long), TaskCompletionSource<bool>> CancelledWriteRefused { get; } = new();

    public TimeSpan EchoDuration { get; set; } = TimeSpan.FromMilliseconds(5);

    public void Register(IServiceCollection services)
    {
        services.AddSingleton<IBackgroundTaskHandler>(new Handler(Echo, RunEchoAsync));
        services.AddSingleton<IBackgroundTaskHandler>(new Handler(Fail, RunFailAsync));
        services.AddSingleton<IBackgroundTaskHandler>(new Handler(Block, RunBlockAsync));
    }

    /// <summary>Task ids are per user DB, so the probes are keyed by user and id.</summary>
    public TaskCompletionSource StartedOf(UserContext user, long taskId) =>
        Started.GetOrAdd((user.UserId, taskId), _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    public TaskCompletionSource<bool> RefusalOf(UserContext user, long taskId) =>
        CancelledWriteRefused.GetOrAdd((user.UserId, taskId), _ => new(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task<string?> RunEchoAsync(TaskRun run, CancellationToken cancellationToken)
    {
        await run.ReportStageAsync("echoing", cancellationToken);
        await Task.Delay(EchoDuration, cancellationToken);
        Finished.Enqueue((run.User.UserId, run.TaskId));
        return $"echo {run.Params}";
    }

    private static Task<string?> RunFailAsync(TaskRun run, CancellationToken cancellationToken) =>
        run.Params == "typed"
            ? throw new TaskFailedException("Job 42 not found")
            : throw new InvalidOperationException("secret internal detail /srv/data");

    private async Task<string?> RunBlockAsync(TaskRun run, CancellationToken cancellationToken)
    {
        StartedOf(run.User, run.TaskId).TrySetResult();
        try
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return "never";
        }
        catch (OperationCanceledException)
        {
            // A handler that ignores its token must still be unable to write after a cancel.
            try
            {
                await run.WithDatabaseAsync(db => db.Execute("UPDATE jobs SET title = 'written after cancel';"), CancellationToken.None);
                RefusalOf(run.User, run.TaskId).TrySetResult(false);
            }
            catch (OperationCanceledException)
            {
                RefusalOf(run.User, run.TaskId).TrySetResult(true);
            }

            throw;
        }
    }

    private sealed class Handler(string taskType, Func<TaskRun, CancellationToken, Task<string?>> run) : IBackgroundTaskHandler
    {
        public string TaskType => taskType;

        public Task<string?> RunAsync(TaskRun taskRun, CancellationToken cancellationToken) => run(taskRun, cancellationToken);
    }
}
