using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Ai;

/// <summary>
/// Queues an AI task about one of the caller's jobs. The DB is closed before the runner is woken, so the runner's
/// first step never waits on this request's connection; a job that is not the caller's queues nothing.
/// </summary>
internal static class JobTaskQueue
{
    /// <summary>The submission (new, or the one already queued or running); null when the job is not this user's.</summary>
    public static async Task<TaskSubmission?> QueueAsync(
        UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, UserContext user, string taskType, long jobId, CancellationToken cancellationToken)
    {
        TaskSubmission submission;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            if (!JobForPrompt.Exists(db, jobId))
            {
                return null;
            }

            submission = BackgroundTasks.Submit(db, taskType, jobId, parameters: null, time);
        }

        wakeup.Wake(user);
        return submission;
    }
}
