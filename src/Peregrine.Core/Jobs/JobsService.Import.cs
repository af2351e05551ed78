using Dapper;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>Importing jobs by URL, one per line or from a spreadsheet export.</summary>
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
        UrlsRefusal(urls.Count, per: "request") is { } refused ? refused : new QueuedResponse(await QueueImportsAsync(user, urls, cancellationToken));

    private async Task<int> QueueImportsAsync(UserContext user, IReadOnlyCollection<string> urls, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, source, date_found, status)
            VALUES (@placeholder, '', @url, 'manual', @today, 'pending')
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
                var id = await db.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { url, today, placeholder = ImportPlaceholder.Title }, transaction, cancellationToken: cancellationToken))
                    ?? await db.ExecuteScalarAsync<long?>(new CommandDefinition(failedImport, new { url, task = TaskTypes.ScrapeUrl }, transaction, cancellationToken: cancellationToken));
                if (id is { } jobId)
                {
                    BackgroundTasks.Submit(db, TaskTypes.ScrapeUrl, jobId, parameters: null, time, transaction);
                    queued++;
                }
            }

            transaction.Commit();
            return queued;
        }, cancellationToken);
    }

    /// <summary>
    /// Upstream's <c>/jobs/upload-csv</c> after the upload was accepted (at most <see cref="MaxCsvBytes"/>): per row,
    /// the first cell that starts with <c>http</c>, imported as <see cref="ImportUrlsAsync"/> does. Refused with upstream's
    /// message for a file with too many rows.
    /// </summary>
    public async Task<Outcome<CsvQueuedResponse>> ImportCsvAsync(UserContext user, Stream csv, CancellationToken cancellationToken)
    {
        List<string> urls;
        using (var reader = new StreamReader(csv))
        {
            urls = [.. CsvUrls.FirstUrlPerRow(reader)];
        }

        return UrlsRefusal(urls.Count, per: "upload") is { } refused
            ? refused
            : new CsvQueuedResponse(await QueueImportsAsync(user, urls, cancellationToken), urls.Count);
    }
}
