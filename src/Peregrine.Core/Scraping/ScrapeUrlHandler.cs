using Dapper;
using Peregrine.Fetching;
using Peregrine.Jobs;
using Peregrine.Matching;
using Peregrine.Tasks;

namespace Peregrine.Scraping;

/// <summary>
/// <c>scrape_url</c>: fills a job added by URL (title "Importing...") from its page and scores it against the résumé.
/// Result "&lt;title&gt; @ &lt;company&gt;", as upstream. A page that cannot be read fails the task with the reason; the job
/// keeps that reason in plain words (<see cref="ListingProblems"/>) for its page's Retry and "Edit details", and its
/// placeholder title becomes its host name (<see cref="ImportPlaceholder"/>).
/// </summary>
public sealed class ScrapeUrlHandler(JobPageReader reader) : IBackgroundTaskHandler
{
    public string TaskType => TaskTypes.ScrapeUrl;

    public async Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        const string readUrl = "SELECT url FROM jobs WHERE id = @JobId;";

        var url = await run.WithDatabaseAsync(db => db.ExecuteScalar<string?>(readUrl, new { run.JobId }), cancellationToken)
            ?? throw new TaskFailedException($"Job {run.JobId} not found");
        await run.ReportStageAsync("Fetching the page", cancellationToken);
        ScrapedJob job;
        try
        {
            job = await reader.ReadAsync(url, cancellationToken);
        }
        catch (FetchFailedException e)
        {
            await run.WithDatabaseAsync(db => ImportFailed(db, run.JobId, url, ListingProblems.Describe(url, e)), CancellationToken.None);
            throw;
        }

        if (job.Title is null)
        {
            await run.WithDatabaseAsync(db => ImportFailed(db, run.JobId, url, ListingProblems.NoDetails), CancellationToken.None);
            throw new TaskFailedException("No job details found on the page");
        }

        await run.ReportStageAsync("Saving the job", cancellationToken);
        var keywords = JobScores.KeywordsOrNone(run.User.ConfigDirectory);
        await run.WithDatabaseAsync(db => Save(db, run.JobId, url, job, keywords), cancellationToken);
        return $"{job.Title} @ {job.Company ?? string.Empty}".TrimEnd(' ', '@');
    }

    private static int ImportFailed(Microsoft.Data.Sqlite.SqliteConnection db, long jobId, string url, string reason)
    {
        db.Execute("UPDATE jobs SET fetch_error = @reason WHERE id = @jobId;", new { jobId, reason });
        return ImportPlaceholder.ReplaceAfterFailedImport(db, jobId, url);
    }

    /// <summary>
    /// Fills what the job does not have yet from the page (upstream's editable-column whitelist, nothing else): a title
    /// that is still the placeholder or the host name, empty fields, and a description only when the page's is longer,
    /// so details a CSV row or the user gave are never overwritten. Then the job is scored as it now reads.
    /// </summary>
    internal static int Save(Microsoft.Data.Sqlite.SqliteConnection db, long jobId, string url, ScrapedJob job, Discovery.ResumeKeywords keywords)
    {
        const string sql = """
            UPDATE jobs SET
                title = CASE WHEN coalesce(title, '') IN ('', @placeholder, @host) THEN coalesce(@Title, title) ELSE title END,
                company = CASE WHEN coalesce(company, '') = '' THEN coalesce(@Company, company) ELSE company END,
                location = CASE WHEN coalesce(location, '') = '' THEN coalesce(@Location, location) ELSE location END,
                is_remote = CASE WHEN coalesce(is_remote, 0) = 0 THEN coalesce(@IsRemote, is_remote) ELSE is_remote END,
                salary = CASE WHEN coalesce(salary, '') = '' THEN coalesce(@Salary, salary) ELSE salary END,
                description = CASE WHEN length(trim(coalesce(@Description, ''))) > length(trim(coalesce(description, ''))) THEN @Description ELSE description END,
                fetch_error = NULL
            WHERE id = @jobId;
            """;
        var host = Uri.TryCreate(url, UriKind.Absolute, out var address) ? address.Host : url;
        using var transaction = db.BeginTransaction(deferred: false);
        var saved = db.Execute(sql, new { jobId, job.Title, job.Company, job.Location, job.IsRemote, job.Salary, job.Description, placeholder = ImportPlaceholder.Title, host }, transaction);
        JobScores.Rescore(db, keywords, jobId, transaction);
        transaction.Commit();
        return saved;
    }
}
