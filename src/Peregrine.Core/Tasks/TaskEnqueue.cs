using Microsoft.Data.Sqlite;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// The one way an endpoint queues tasks, so the crash guarantee holds on every path: the user's queued-work marker is
/// made durable <em>before</em> the enqueue commits, and the runner is woken after the DB is closed again.
/// </summary>
public static class TaskEnqueue
{
    /// <summary>
    /// Opens the user's DB and runs <paramref name="enqueue"/> (which submits and commits) with the marker already on
    /// disk. Writing it first is what makes a crash between the commit and the wake harmless: start-up finds the marker
    /// and runs the work. The other order (commit, then marker) forgot that user's work until their next wake. A marker
    /// with no work behind it (the step queued nothing, or failed) costs one DB read: the runner clears it.
    /// </summary>
    public static async Task<T> EnqueueAsync<T>(
        this ITaskWakeup wakeup, UserDatabases databases, UserContext user, Func<SqliteConnection, Task<T>> enqueue, CancellationToken cancellationToken)
    {
        IDisposable? expected = null;
        try
        {
            await using var db = await databases.OpenAsync(user.Database, cancellationToken);
            // After the open, which guarantees the user's folder exists for the marker.
            expected = wakeup.ExpectWork(user);
            return await enqueue(db);
        }
        finally
        {
            // The DB is closed by now, so the runner's first step never waits on this request's connection.
            expected?.Dispose();
        }
    }
}
