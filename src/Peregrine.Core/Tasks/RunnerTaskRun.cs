using System.Diagnostics.CodeAnalysis;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// The runner's <see cref="TaskRun"/>: each DB step opens the owner's DB, checks the task is still running, runs, and
/// closes. The check is what stops a cancelled task (or one whose DB a restore replaced, or whose tree was erased) from
/// writing anything more, even when its handler ignores the token.
/// </summary>
internal sealed class RunnerTaskRun(UserDatabases databases, TimeProvider time, CancellationTokenSource cancellation) : TaskRun
{
    /// <summary>The row stopped being this run's (or the DB went away): there is nothing left to record.</summary>
    public bool Abandoned { get; private set; }

    public override async Task<T> WithDatabaseAsync<T>(Func<SqliteConnection, T> step, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (!File.Exists(User.Database.Path))
        {
            Abandon();
        }

        await using var db = await databases.OpenAsync(User.Database, cancellationToken);
        if (!BackgroundTasks.IsRunning(db, TaskId))
        {
            Abandon();
        }

        return step(db);
    }

    public override Task ReportStageAsync(string stage, CancellationToken cancellationToken) =>
        WithDatabaseAsync(db =>
        {
            BackgroundTasks.SetStage(db, TaskId, stage, time);
            return true;
        }, cancellationToken);

    [DoesNotReturn]
    private void Abandon()
    {
        Abandoned = true;
        cancellation.Cancel();
        throw new OperationCanceledException(cancellation.Token);
    }
}
