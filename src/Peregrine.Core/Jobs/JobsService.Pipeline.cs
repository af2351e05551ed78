using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>Status changes: review (approve/reject/revert), applying, the interview pipeline, archive and purge.</summary>
public sealed partial class JobsService
{
    /// <summary>False when the job is not this user's (as for every status change here).</summary>
    public Task<bool> ApproveAsync(UserContext user, long id, CancellationToken cancellationToken) =>
        SetStatusAsync(user, id, JobStatuses.Approved, cancellationToken);

    public Task<bool> RejectAsync(UserContext user, long id, CancellationToken cancellationToken) =>
        SetStatusAsync(user, id, JobStatuses.Rejected, cancellationToken);

    /// <summary>Undo of a review decision; <paramref name="status"/> passes <see cref="RevertProblem"/>.</summary>
    public Task<bool> RevertAsync(UserContext user, long id, string status, CancellationToken cancellationToken) =>
        RevertProblem(status) is { } problem
            ? throw new ArgumentException(problem, nameof(status))
            : SetStatusAsync(user, id, status, cancellationToken);

    public async Task<bool> MarkAppliedAsync(UserContext user, long id, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET status = 'applied', applied_at = @now WHERE id = @id;";

        if (await ExecuteAsync(user, sql, new { id, now = Timestamps.Now(time) }, cancellationToken) == 0)
        {
            return false;
        }

        telemetry.LogUsageEvent(user.UserId, user.App, "job_applied");
        return true;
    }

    /// <summary>Moves a job along the interview pipeline; <paramref name="move"/> passes <see cref="MoveProblem"/>.</summary>
    public async Task<bool> MoveAsync(UserContext user, long id, PipelineMove move, CancellationToken cancellationToken)
    {
        if (MoveProblem(move) is { } problem)
        {
            throw new ArgumentException(problem, nameof(move));
        }

        var status = move.Status!;
        // The column name comes from the fixed JobStatuses.PipelineColumns table, never from the request.
        var sql = $"""
            UPDATE jobs SET status = @status, {JobStatuses.PipelineColumns[status]} = @stamp, interview_date = coalesce(@InterviewDate, interview_date)
            WHERE id = @id;
            """;
        var stamp = status == "interview_rejected" ? move.RejectionStage : Timestamps.Now(time);
        return await ExecuteAsync(user, sql, new { id, status, stamp, move.InterviewDate }, cancellationToken) > 0;
    }

    /// <summary>Archives the jobs of these statuses (they pass <see cref="StatusesProblem"/>); answers how many.</summary>
    public Task<int> ArchiveAsync(UserContext user, IReadOnlyList<string> statuses, CancellationToken cancellationToken) =>
        ExecuteAsync(user, "UPDATE jobs SET status = 'archived' WHERE status IN @statuses;", new { statuses }, cancellationToken);

    public static string? PurgeProblem(PurgeRequest request) =>
        request.Target is not (null or PurgeTargets.Email or PurgeTargets.NonRemote or PurgeTargets.Rescrape)
            ? $"Invalid target: {request.Target}"
            : StatusesProblem(request.Statuses);

    /// <summary>
    /// Upstream's purge (the request passes <see cref="PurgeProblem"/>), in one transaction: by status (pending and
    /// rejected by default), the email-sourced jobs and contacts, the on-site jobs not being pursued, or everything
    /// unapplied followed by a fresh discovery.
    /// </summary>
    public async Task<PurgeResult> PurgeAsync(UserContext user, PurgeRequest request, CancellationToken cancellationToken)
    {
        const string deleteByStatus = "DELETE FROM jobs WHERE status IN @statuses;";
        const string deleteNonRemote = "DELETE FROM jobs WHERE coalesce(is_remote, 0) = 0 AND coalesce(status, '') NOT IN @kept;";
        const string deleteContacts = "DELETE FROM job_contacts;";
        const string deleteEmailJobs = "DELETE FROM jobs WHERE source = 'email';";

        if (PurgeProblem(request) is { } problem)
        {
            throw new ArgumentException(problem, nameof(request));
        }

        PurgeResult result;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            // Rescrape queues discovery: its marker before the commit, its wake (the disposal) after it (see TaskEnqueue).
            using var expectedWork = request.Target == PurgeTargets.Rescrape ? wakeup.ExpectWork(user) : null;
            using var transaction = db.BeginTransaction(deferred: false);
            Task<int> Run(string sql, object? parameters = null) => RunAsync(db, transaction, sql, parameters, cancellationToken);
            switch (request.Target)
            {
                case PurgeTargets.Email:
                    var contacts = await Run(deleteContacts);
                    result = new PurgeResult(await Run(deleteEmailJobs), contacts);
                    break;
                case PurgeTargets.NonRemote:
                    result = new PurgeResult(await Run(deleteNonRemote, new { kept = JobStatuses.KeptByNonRemotePurge }), 0);
                    break;
                case PurgeTargets.Rescrape:
                    var cleared = await Run(deleteByStatus, new { statuses = new[] { JobStatuses.Pending, JobStatuses.Approved, JobStatuses.Rejected } });
                    BackgroundTasks.Submit(db, "discovery", jobId: 0, parameters: null, time, transaction);
                    result = new PurgeResult(cleared, 0);
                    break;
                default:
                    var statuses = request.Statuses ?? [JobStatuses.Pending, JobStatuses.Rejected];
                    result = new PurgeResult(await Run(deleteByStatus, new { statuses }), 0);
                    break;
            }

            transaction.Commit();
        }

        return result;
    }

    private async Task<bool> SetStatusAsync(UserContext user, long id, string status, CancellationToken cancellationToken) =>
        await ExecuteAsync(user, "UPDATE jobs SET status = @status WHERE id = @id;", new { id, status }, cancellationToken) > 0;
}

/// <summary>The <c>target</c> values of upstream's purge.</summary>
public static class PurgeTargets
{
    public const string Email = "email";
    public const string NonRemote = "non_remote";
    public const string Rescrape = "rescrape";
}

/// <summary>What a purge removed: jobs, and (for the email target) contacts.</summary>
public sealed record PurgeResult(long Jobs, long Contacts);
