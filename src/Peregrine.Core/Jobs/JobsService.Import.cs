using Dapper;
using Peregrine.Errors;
using Peregrine.Matching;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>Importing jobs by URL, one per line or from a spreadsheet export (with its title, company, location and description columns).</summary>
public sealed partial class JobsService
{
    public const int MaxUrlsPerImport = 500;
    public const long MaxCsvBytes = 1024 * 1024;

    private static Refusal? UrlsRefusal(int count, string per) =>
        count > MaxUrlsPerImport ? Refusal.BadRequest($"at most {MaxUrlsPerImport} urls per {per}") : null;

    /// <summary>
    /// Upstream's <c>/jobs/add</c>: each URL canonicalised; non-http and already-known URLs skipped; the rest inserted
    /// as "Importing..." placeholders, each with its queued <c>scrape_url</c>, in one transaction (a job never lacks
    /// its task), then the task runner is woken (<see cref="TaskEnqueue"/>: the marker is durable before the commit).
    /// Unlike upstream, a known URL whose last import failed (a dead page, a cancel, or "Interrupted by restart") is
    /// queued again: adding it is how to retry. Answers how many were queued; refused past <see cref="MaxUrlsPerImport"/>.
    /// </summary>
    public async Task<Outcome<QueuedResponse>> ImportUrlsAsync(UserContext user, IReadOnlyCollection<string> urls, CancellationToken cancellationToken) =>
        UrlsRefusal(urls.Count, per: "request") is { } refused
            ? refused
            : new QueuedResponse(await QueueImportsAsync(user, [.. urls.Select(url => new CsvJob(url, null, null, null, null))], cancellationToken));

    /// <summary>
    /// Inserts each job (its details where the row gave them, else the "Importing..." placeholder) and scores it; a job
    /// without a description gets a <c>scrape_url</c> task to fetch it, in the same transaction (a job never lacks its
    /// task). A job with a title and a description from the spreadsheet needs no fetch at all.
    /// </summary>
    private async Task<int> QueueImportsAsync(UserContext user, IReadOnlyCollection<CsvJob> jobs, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, source, location, description, date_found, status)
            VALUES (@title, @company, @url, 'manual', @location, @description, @today, 'pending')
            ON CONFLICT (url) DO NOTHING
            RETURNING id;
            """;
        const string failedImport = """
            SELECT j.id FROM jobs j
            WHERE j.url = @url
              AND (SELECT t.status FROM background_tasks t WHERE t.task_type = @task AND t.job_id = j.id ORDER BY t.id DESC LIMIT 1) = 'failed';
            """;

        var keywords = JobScores.KeywordsOrNone(user.ConfigDirectory);
        return await wakeup.EnqueueAsync(databases, user, async db =>
        {
            var queued = 0;
            using var transaction = db.BeginTransaction(deferred: false);
            var today = Timestamps.Today(time);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var job in jobs)
            {
                if (JobUrl.Canonicalize(job.Url) is not { } url || !seen.Add(url))
                {
                    continue;
                }

                var row = new { url, today, title = job.Title ?? ImportPlaceholder.Title, company = job.Company ?? string.Empty, location = job.Location, description = job.Description };
                var inserted = await db.ExecuteScalarAsync<long?>(new CommandDefinition(sql, row, transaction, cancellationToken: cancellationToken));
                var id = inserted ?? await db.ExecuteScalarAsync<long?>(new CommandDefinition(failedImport, new { url, task = TaskTypes.ScrapeUrl }, transaction, cancellationToken: cancellationToken));
                if (id is not { } jobId)
                {
                    continue;
                }

                queued++;
                if (inserted is not null && job.Description is not null)
                {
                    JobScores.Rescore(db, keywords, jobId, transaction);
                }

                if (job.Title is null || job.Description is null)
                {
                    BackgroundTasks.Submit(db, TaskTypes.ScrapeUrl, jobId, parameters: null, time, transaction);
                }
            }

            transaction.Commit();
            return queued;
        }, cancellationToken);
    }

    /// <summary>
    /// Upstream's <c>/jobs/upload-csv</c> after the upload was accepted (at most <see cref="MaxCsvBytes"/>): per row, a
    /// job with the row's title, company, location and description when the file has those columns (<see cref="CsvJobs"/>),
    /// imported as <see cref="ImportUrlsAsync"/> does. Refused with upstream's message for a file with too many rows.
    /// </summary>
    public async Task<Outcome<CsvQueuedResponse>> ImportCsvAsync(UserContext user, Stream csv, CancellationToken cancellationToken)
    {
        List<CsvJob> rows;
        using (var reader = new StreamReader(csv))
        {
            rows = [.. CsvJobs.Read(reader)];
        }

        return UrlsRefusal(rows.Count, per: "upload") is { } refused
            ? refused
            : new CsvQueuedResponse(await QueueImportsAsync(user, rows, cancellationToken), rows.Count);
    }
}
