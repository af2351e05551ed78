using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Ai;

/// <summary>
/// Queues an AI task about one of the caller's jobs (through <see cref="TaskEnqueue"/>, so a crash after the commit
/// loses nothing); a job that is not the caller's queues nothing.
/// </summary>
internal static class JobTaskQueue
{
    /// <summary>The submission (new, or the one already queued or running); null when the job is not this user's.</summary>
    public static async Task<TaskSubmission?> QueueAsync(
        UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, UserContext user, string taskType, long jobId, CancellationToken cancellationToken,
        string? parameters = null)
    {
        return await wakeup.EnqueueAsync(
            databases,
            user,
            db => Task.FromResult(JobForPrompt.Exists(db, jobId) ? BackgroundTasks.Submit(db, taskType, jobId, parameters, time) : null),
            cancellationToken);
    }
}
