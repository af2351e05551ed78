using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Telemetry;

namespace Peregrine.Jobs;

/// <summary>Status changes: review (approve/reject/revert), applying, the interview pipeline, archive and purge.</summary>
public static partial class JobsApi
{
    public static Task<Results<Ok<OkResponse>, ProblemHttpResult>> Approve(long id, UserContext user, UserDatabases databases, CancellationToken cancellationToken) =>
        SetStatus(id, JobStatuses.Approved, user, databases, cancellationToken);

    public static Task<Results<Ok<OkResponse>, ProblemHttpResult>> Reject(long id, UserContext user, UserDatabases databases, CancellationToken cancellationToken) =>
        SetStatus(id, JobStatuses.Rejected, user, databases, cancellationToken);

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Revert(
        long id, StatusChange change, UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        if (change.Status is not { } status || !JobStatuses.Revertible.Contains(status))
        {
            return Problems.BadRequest($"Invalid status: {change.Status}");
        }

        return await SetStatus(id, status, user, databases, cancellationToken);
    }

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> MarkApplied(
        long id, UserContext user, UserDatabases databases, IUsageTelemetry telemetry, TimeProvider time, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET status = 'applied', applied_at = @now WHERE id = @id;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        if (await db.ExecuteAsync(new CommandDefinition(sql, new { id, now = Timestamps.Now(time) }, cancellationToken: cancellationToken)) == 0)
        {
            return Problems.JobNotFound();
        }

        telemetry.LogUsageEvent(user.UserId, user.App, "job_applied");
        return TypedResults.Ok(OkResponse.Yes);
    }

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Move(
        long id, PipelineMove move, UserContext user, UserDatabases databases, TimeProvider time, CancellationToken cancellationToken)
    {
        if (move.Status is not { } status || !JobStatuses.PipelineColumns.TryGetValue(status, out var column))
        {
            return Problems.BadRequest($"Invalid pipeline status: {move.Status}");
        }

        // The column name comes from the fixed JobStatuses.PipelineColumns table, never from the request.
        var sql = $"""
            UPDATE jobs SET status = @status, {column} = @stamp, interview_date = coalesce(@InterviewDate, interview_date)
            WHERE id = @id;
            """;
        var stamp = status == "interview_rejected" ? move.RejectionStage : Timestamps.Now(time);

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var changed = await db.ExecuteAsync(new CommandDefinition(sql, new { id, status, stamp, move.InterviewDate }, cancellationToken: cancellationToken));
        return changed == 0 ? Problems.JobNotFound() : TypedResults.Ok(OkResponse.Yes);
    }

    /// <summary>A status list names a few of a dozen statuses; beyond this it is not a request a client makes.</summary>
    public const int MaxStatusesPerRequest = 50;

    public static async Task<Results<Ok<ArchivedResponse>, ProblemHttpResult>> Archive(
        StatusSelection selection, UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET status = 'archived' WHERE status IN @statuses;";

        var statuses = selection.Statuses ?? [];
        if (statuses.Count > MaxStatusesPerRequest)
        {
            return TooManyStatuses();
        }

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var archived = await db.ExecuteAsync(new CommandDefinition(sql, new { statuses }, cancellationToken: cancellationToken));
        return TypedResults.Ok(new ArchivedResponse(archived));
    }

    public static async Task<Results<Ok<DeletedResponse>, Ok<EmailPurgedResponse>, Ok<OkResponse>, ProblemHttpResult>> Purge(
        PurgeRequest request, UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken)
    {
        const string deleteByStatus = "DELETE FROM jobs WHERE status IN @statuses;";
        const string deleteNonRemote = """
            DELETE FROM jobs WHERE coalesce(is_remote, 0) = 0 AND coalesce(status, '') NOT IN @kept;
            """;
        const string deleteContacts = "DELETE FROM job_contacts;";
        const string deleteEmailJobs = "DELETE FROM jobs WHERE source = 'email';";

        if (request.Target is not (null or "email" or "non_remote" or "rescrape"))
        {
            return Problems.BadRequest($"Invalid target: {request.Target}");
        }

        if (request.Statuses?.Count > MaxStatusesPerRequest)
        {
            return TooManyStatuses();
        }

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        // Rescrape queues discovery: its marker before the commit, its wake (the disposal) after it (see TaskEnqueue).
        using var expectedWork = request.Target == "rescrape" ? wakeup.ExpectWork(user) : null;
        using var transaction = db.BeginTransaction(deferred: false);
        Task<int> Run(string sql, object? parameters = null) =>
            db.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));

        Results<Ok<DeletedResponse>, Ok<EmailPurgedResponse>, Ok<OkResponse>, ProblemHttpResult> result;
        switch (request.Target)
        {
            case "email":
                var contacts = await Run(deleteContacts);
                result = TypedResults.Ok(new EmailPurgedResponse(true, contacts, await Run(deleteEmailJobs)));
                break;
            case "non_remote":
                result = TypedResults.Ok(new DeletedResponse(true, await Run(deleteNonRemote, new { kept = JobStatuses.KeptByNonRemotePurge })));
                break;
            case "rescrape":
                await Run(deleteByStatus, new { statuses = new[] { JobStatuses.Pending, JobStatuses.Approved, JobStatuses.Rejected } });
                BackgroundTasks.Submit(db, "discovery", jobId: 0, parameters: null, time, transaction);
                result = TypedResults.Ok(OkResponse.Yes);
                break;
            default:
                var statuses = request.Statuses ?? [JobStatuses.Pending, JobStatuses.Rejected];
                result = TypedResults.Ok(new DeletedResponse(true, await Run(deleteByStatus, new { statuses })));
                break;
        }

        transaction.Commit();
        return result;
    }

    private static ProblemHttpResult TooManyStatuses() => Problems.BadRequest($"statuses may name no more than {MaxStatusesPerRequest} statuses");

    private static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> SetStatus(
        long id, string status, UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET status = @status WHERE id = @id;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var changed = await db.ExecuteAsync(new CommandDefinition(sql, new { id, status }, cancellationToken: cancellationToken));
        return changed == 0 ? Problems.JobNotFound() : TypedResults.Ok(OkResponse.Yes);
    }
}
