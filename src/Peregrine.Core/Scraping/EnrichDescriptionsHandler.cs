using Dapper;
using Microsoft.Extensions.Options;
using Peregrine.Fetching;
using Peregrine.Tasks;

namespace Peregrine.Scraping;

/// <summary>How <c>enrich_descriptions</c> chooses and paces its re-fetches (configuration section <c>Enrichment</c>).</summary>
public sealed class EnrichmentOptions
{
    public const string SectionName = "Enrichment";

    /// <summary>A description shorter than this (after trimming) counts as missing.</summary>
    public int MinDescriptionLength { get; set; } = 200;

    public int MaxJobsPerRun { get; set; } = 100;

    /// <summary>Upstream's pause between two fetches (1.5 s), so a run does not hammer one board.</summary>
    public TimeSpan DelayBetweenFetches { get; set; } = TimeSpan.FromSeconds(1.5);
}

/// <summary>
/// <c>enrich_descriptions</c>: re-fetches the pages of jobs whose description is missing or short, and fills the
/// description (and any other field still empty). Result "N description(s) fetched, M failed[, K error(s)]": failed
/// means the page had no description (or none longer than the stored one), an error that it could not be fetched.
/// </summary>
public sealed class EnrichDescriptionsHandler(JobPageReader reader, IOptions<EnrichmentOptions> options, TimeProvider time) : IBackgroundTaskHandler
{
    public string TaskType => TaskTypes.EnrichDescriptions;

    public async Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        const string candidates = """
            SELECT id, url FROM jobs
            WHERE length(trim(coalesce(description, ''))) < @MinDescriptionLength
              AND (url LIKE 'http://%' OR url LIKE 'https://%') AND coalesce(status, '') <> 'archived'
            ORDER BY id LIMIT @MaxJobsPerRun;
            """;

        var settings = options.Value;
        var jobs = await run.WithDatabaseAsync(db => db.Query<(long Id, string Url)>(candidates, settings).ToList(), cancellationToken);
        int fetched = 0, failed = 0, errors = 0;
        foreach (var (job, index) in jobs.Select((j, i) => (j, i)))
        {
            if (index > 0 && settings.DelayBetweenFetches > TimeSpan.Zero)
            {
                await Task.Delay(settings.DelayBetweenFetches, time, cancellationToken);
            }

            await run.ReportStageAsync($"Fetching {index + 1} of {jobs.Count}", cancellationToken);
            try
            {
                var scraped = await reader.ReadAsync(job.Url, cancellationToken);
                if (scraped.Description is null)
                {
                    failed++;
                    continue;
                }

                if (await run.WithDatabaseAsync(db => FillEmpty(db, job.Id, scraped), cancellationToken) > 0)
                {
                    fetched++;
                }
                else
                {
                    failed++;
                }
            }
            catch (FetchFailedException)
            {
                errors++;
            }
        }

        var message = $"{fetched} description(s) fetched, {failed} failed";
        return errors > 0 ? $"{message}, {errors} error(s)" : message;
    }

    /// <summary>
    /// Only a description longer than the stored one replaces it (a page's teaser must not overwrite a pasted text);
    /// 0 when the page had nothing better.
    /// </summary>
    private static int FillEmpty(Microsoft.Data.Sqlite.SqliteConnection db, long jobId, ScrapedJob job)
    {
        const string sql = """
            UPDATE jobs SET
                description = @Description,
                company = CASE WHEN coalesce(company, '') = '' THEN coalesce(@Company, company) ELSE company END,
                location = CASE WHEN coalesce(location, '') = '' THEN coalesce(@Location, location) ELSE location END,
                salary = CASE WHEN coalesce(salary, '') = '' THEN coalesce(@Salary, salary) ELSE salary END
            WHERE id = @jobId AND length(trim(@Description)) > length(trim(coalesce(description, '')));
            """;
        return db.Execute(sql, new { jobId, job.Description, job.Company, job.Location, job.Salary });
    }
}
