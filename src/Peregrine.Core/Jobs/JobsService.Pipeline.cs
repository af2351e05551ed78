using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>Status changes: review (approve/reject/revert), applying, the interview pipeline, archive and purge.</summary>
public sealed partial class JobsService
{
    /// <summary>Not found when the job is not this user's (as for every status change here); null when done.</summary>
    public Task<Refusal?> ApproveAsync(UserContext user, long id, CancellationToken cancellationToken) =>
        SetStatusAsync(user, id, JobStatuses.Approved, cancellationToken);

    public Task<Refusal?> RejectAsync(UserContext user, long id, CancellationToken cancellationToken) =>
        SetStatusAsync(user, id, JobStatuses.Rejected, cancellationToken);

    /// <summary>Undo of a review decision, to one of <see cref="JobStatuses.Revertible"/>.</summary>
    public Task<Refusal?> RevertAsync(UserContext user, long id, string? status, CancellationToken cancellationToken) =>
        status is null || !JobStatuses.Revertible.Contains(status)
            ? Task.FromResult<Refusal?>(Refusal.BadRequest($"Invalid status: {status}"))
            : SetStatusAsync(user, id, status, cancellationToken);

    public async Task<Refusal?> MarkAppliedAsync(UserContext user, long id, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET status = 'applied', applied_at = @now WHERE id = @id;";

        if (await ChangeJobAsync(user, sql, new { id, now = Timestamps.Now(time) }, cancellationToken) is { } refused)
        {
            return refused;
        }

        telemetry.LogUsageEvent(user.UserId, user.App, "job_applied");
        return null;
    }

    /// <summary>Moves a job to a stage of <see cref="PipelineStages"/>, stamping the stage's column.</summary>
    public async Task<Refusal?> MoveAsync(UserContext user, long id, PipelineMove move, CancellationToken cancellationToken)
    {
        if (PipelineStages.Find(move.Status) is not { } stage)
        {
            return Refusal.BadRequest($"Invalid pipeline status: {move.Status}");
        }

        // The column name comes from the fixed PipelineStages table, never from the request.
        var sql = $"""
            UPDATE jobs SET status = @Status, {stage.StampColumn} = @stamp, interview_date = coalesce(@InterviewDate, interview_date)
            WHERE id = @id;
            """;
        var stamp = stage.Status == PipelineStages.Rejected ? move.RejectionStage : Timestamps.Now(time);
        return await ChangeJobAsync(user, sql, new { id, stage.Status, stamp, move.InterviewDate }, cancellationToken);
    }

    /// <summary>Archives the jobs of these statuses; answers how many.</summary>
    public async Task<Outcome<ArchivedResponse>> ArchiveAsync(UserContext user, IReadOnlyList<string>? statuses, CancellationToken cancellationToken) =>
        StatusesRefusal(statuses) is { } refused
            ? refused
            : new ArchivedResponse(await ExecuteAsync(user, "UPDATE jobs SET status = 'archived' WHERE status IN @statuses;", new { statuses = statuses ?? [] }, cancellationToken));

    /// <summary>
    /// Upstream's purge, in one transaction: by status (pending and
    /// rejected by default), the email-sourced jobs and contacts, the on-site jobs not being pursued, or everything
    /// unapplied followed by a fresh discovery.
    /// </summary>
    public async Task<Outcome<PurgeResult>> PurgeAsync(UserContext user, PurgeRequest request, CancellationToken cancellationToken)
    {
        const string deleteByStatus = "DELETE FROM jobs WHERE status IN @statuses;";
        const string deleteNonRemote = "DELETE FROM jobs WHERE coalesce(is_remote, 0) = 0 AND coalesce(status, '') NOT IN @kept;";
        const string deleteContacts = "DELETE FROM job_contacts;";
        const string deleteEmailJobs = "DELETE FROM jobs WHERE source = 'email';";

        if (request.Target is not (null or PurgeTargets.Email or PurgeTargets.NonRemote or PurgeTargets.Rescrape))
        {
            return Refusal.BadRequest($"Invalid target: {request.Target}");
        }

        if (StatusesRefusal(request.Statuses) is { } refused)
        {
            return refused;
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
                    BackgroundTasks.Submit(db, TaskTypes.Discovery, jobId: 0, parameters: null, time, transaction);
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

    private Task<Refusal?> SetStatusAsync(UserContext user, long id, string status, CancellationToken cancellationToken) =>
        ChangeJobAsync(user, "UPDATE jobs SET status = @status WHERE id = @id;", new { id, status }, cancellationToken);
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
