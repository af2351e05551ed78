using Dapper;
using Peregrine.Fetching;
using Peregrine.Jobs;
using Peregrine.Tasks;

namespace Peregrine.Scraping;

/// <summary>
/// <c>scrape_url</c>: fills a job added by URL (title "Importing...") from its page. Result "&lt;title&gt; @ &lt;company&gt;",
/// as upstream. A page that cannot be read fails the task with the reason, and the job's placeholder title becomes
/// its host name (<see cref="ImportPlaceholder"/>).
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
        catch (FetchFailedException)
        {
            await run.WithDatabaseAsync(db => ImportPlaceholder.ReplaceAfterFailedImport(db, run.JobId, url), CancellationToken.None);
            throw;
        }

        if (job.Title is null)
        {
            await run.WithDatabaseAsync(db => ImportPlaceholder.ReplaceAfterFailedImport(db, run.JobId, url), CancellationToken.None);
            throw new TaskFailedException("No job details found on the page");
        }

        await run.ReportStageAsync("Saving the job", cancellationToken);
        await run.WithDatabaseAsync(db => Save(db, run.JobId, job), cancellationToken);
        return $"{job.Title} @ {job.Company ?? string.Empty}".TrimEnd(' ', '@');
    }

    /// <summary>Only the fields the page gave; upstream's editable-column whitelist, nothing else.</summary>
    internal static int Save(Microsoft.Data.Sqlite.SqliteConnection db, long jobId, ScrapedJob job)
    {
        const string sql = """
            UPDATE jobs SET
                title = coalesce(@Title, title),
                company = coalesce(@Company, company),
                location = coalesce(@Location, location),
                is_remote = coalesce(@IsRemote, is_remote),
                salary = coalesce(@Salary, salary),
                description = coalesce(@Description, description)
            WHERE id = @jobId;
            """;
        return db.Execute(sql, new { jobId, job.Title, job.Company, job.Location, job.IsRemote, job.Salary, job.Description });
    }
}
