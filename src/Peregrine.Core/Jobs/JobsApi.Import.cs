using Dapper;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Telemetry;

namespace Peregrine.Jobs;

/// <summary>Importing jobs by URL, and the cover letter of a job.</summary>
public static partial class JobsApi
{
    public const int MaxUrlsPerImport = 500;
    public const string ScrapeTaskType = "scrape_url";
    public const string CoverLetterTaskType = "cover_letter";

    /// <summary>
    /// Upstream's <c>/jobs/add</c>: each URL canonicalised; non-http and already-known URLs skipped; the rest inserted as
    /// placeholders with a queued <c>scrape_url</c> task that fills them in. Unlike upstream, a known URL whose last
    /// import failed (a dead page, a cancel, or "Interrupted by restart") is queued again: adding it is how to retry.
    /// </summary>
    public static async Task<Results<Accepted<QueuedResponse>, ProblemHttpResult>> AddUrls(
        UrlImport import, UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken)
    {
        var urls = import.Urls ?? [];
        if (urls.Count > MaxUrlsPerImport)
        {
            return Problems.BadRequest($"at most {MaxUrlsPerImport} urls per request");
        }

        var queued = await ImportUrlsAsync(urls, user, databases, wakeup, time, cancellationToken);
        return TypedResults.Accepted((string?)null, new QueuedResponse(queued));
    }

    /// <summary>
    /// Inserts the new URLs as "Importing..." placeholders (or takes the job of a failed import), each with its queued
    /// <c>scrape_url</c>, in one transaction (a job never lacks its task), then wakes the task runner
    /// (<see cref="TaskEnqueue"/>). Returns how many were queued.
    /// </summary>
    internal static async Task<int> ImportUrlsAsync(
        IEnumerable<string> urls, UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, source, date_found, status)
            VALUES ('Importing...', '', @url, 'manual', @today, 'pending')
            ON CONFLICT (url) DO NOTHING
            RETURNING id;
            """;
        const string failedImport = """
            SELECT j.id FROM jobs j
            WHERE j.url = @url
              AND (SELECT t.status FROM background_tasks t WHERE t.task_type = @task AND t.job_id = j.id ORDER BY t.id DESC LIMIT 1) = 'failed';
            """;

        return await wakeup.EnqueueAsync(databases, user, async db =>
        {
            var queued = 0;
            using var transaction = db.BeginTransaction(deferred: false);
            var today = Timestamps.Today(time);
            foreach (var url in urls.Select(JobUrl.Canonicalize).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var id = await db.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { url, today }, transaction, cancellationToken: cancellationToken))
                    ?? await db.ExecuteScalarAsync<long?>(new CommandDefinition(failedImport, new { url, task = ScrapeTaskType }, transaction, cancellationToken: cancellationToken));
                if (id is { } jobId)
                {
                    BackgroundTasks.Submit(db, ScrapeTaskType, jobId, parameters: null, time, transaction);
                    queued++;
                }
            }

            transaction.Commit();
            return queued;
        }, cancellationToken);
    }

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> SaveCoverLetter(
        long id, CoverLetterText body, UserContext user, UserDatabases databases, IUsageTelemetry telemetry, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE jobs SET cover_letter = @Text WHERE id = @id;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        if (await db.ExecuteAsync(new CommandDefinition(sql, new { id, body.Text }, cancellationToken: cancellationToken)) == 0)
        {
            return Problems.JobNotFound();
        }

        telemetry.LogUsageEvent(user.UserId, user.App, "cover_letter_saved");
        return TypedResults.Ok(OkResponse.Yes);
    }

    /// <summary>The latest cover-letter task of a job, as the SPA polls it (<c>message</c> is the task's result or error).</summary>
    public static async Task<Results<Ok<TaskProgress>, ProblemHttpResult>> GetCoverLetterTask(
        long id, UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        if (!await JobExists(db, id, cancellationToken))
        {
            return Problems.JobNotFound();
        }

        return TypedResults.Ok(BackgroundTasks.LatestFor(db, CoverLetterTaskType, id));
    }

    private static async Task<bool> JobExists(Microsoft.Data.Sqlite.SqliteConnection db, long id, CancellationToken cancellationToken)
    {
        const string sql = "SELECT count(*) FROM jobs WHERE id = @id;";
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken)) > 0;
    }
}
