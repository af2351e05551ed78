using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.CloudSeams;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>
/// The user's jobs, for the JSON API (<see cref="JobsApi"/>) and the web pages alike. Every call works in the caller's
/// own DB, so another user's ids simply do not exist (not found, never forbidden). Each call checks its own input and
/// answers a <see cref="Refusal"/> with upstream's message instead of acting, so no caller has to check first.
/// </summary>
public sealed partial class JobsService(UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, IUsageTelemetry telemetry)
{
    public const int MaxListLimit = 1000;
    public const int DefaultListLimit = 50;

    /// <summary>A status list names a few of a dozen statuses; beyond this it is not a request a client makes.</summary>
    public const int MaxStatusesPerRequest = 50;

    private const string SummaryColumns = """
        id, title, company, url, source, location, is_remote, salary, description, match_score, keyword_gaps,
        date_found, status, coalesce(cover_letter, '') <> '' AS has_cover_letter
        """;

    /// <summary>Walks ix_jobs_status_score_id (migration 002) in order and stops after @limit rows: no sort, whatever the job count.</summary>
    internal const string ListSql = $"""
        SELECT {SummaryColumns}
        FROM jobs WHERE status = @status
        ORDER BY match_score DESC NULLS LAST, id DESC
        LIMIT @limit;
        """;

    private static readonly Refusal JobNotFound = Refusal.NotFound("Job not found");

    /// <summary>Jobs of one status (pending by default), best match first, at most <paramref name="limit"/> (50 by default).</summary>
    public async Task<Outcome<IReadOnlyList<JobSummary>>> ListAsync(UserContext user, string? status, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? DefaultListLimit;
        if (take is < 1 or > MaxListLimit)
        {
            return Refusal.BadRequest($"limit must be between 1 and {MaxListLimit}");
        }

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var command = new CommandDefinition(ListSql, new { status = status ?? JobStatuses.Pending, limit = take }, cancellationToken: cancellationToken);
        return (await db.QueryAsync<JobSummary>(command)).ToList();
    }

    public async Task<JobCounts> CountAsync(UserContext user, CancellationToken cancellationToken)
    {
        const string sql = "SELECT status, count(*) AS count FROM jobs GROUP BY status;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var counts = (await db.QueryAsync<(string? Status, long Count)>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
            .ToDictionary(row => row.Status ?? string.Empty, row => row.Count);
        long Of(string status) => counts.GetValueOrDefault(status);
        return new JobCounts(
            Of(JobStatuses.Pending), Of(JobStatuses.Approved), Of(JobStatuses.Applied), Of(JobStatuses.Synced),
            Of(JobStatuses.Rejected), counts.Values.Sum());
    }

    /// <summary>The job with its cover letter; null when it is not this user's.</summary>
    public async Task<JobDetail?> GetAsync(UserContext user, long id, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {SummaryColumns}, cover_letter FROM jobs WHERE id = @id;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.QuerySingleOrDefaultAsync<JobDetail>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Inserts a pending job; refused when its URL is not a web address or its canonical URL is already known.</summary>
    public async Task<Outcome<CreatedJob>> CreateAsync(UserContext user, NewJob job, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, source, location, is_remote, salary, description, date_found, status)
            VALUES (@Title, @Company, @url, @Source, @Location, @isRemote, @Salary, @Description, @dateFound, 'pending')
            ON CONFLICT (url) DO NOTHING
            RETURNING id;
            """;

        if (JobUrl.Canonicalize(job.Url) is not { } url)
        {
            return Refusal.BadRequest("url must be an absolute http(s) URL");
        }

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var parameters = new
        {
            job.Title,
            job.Company,
            url,
            job.Source,
            job.Location,
            isRemote = job.IsRemote == true,
            job.Salary,
            job.Description,
            dateFound = job.DateFound ?? Timestamps.Today(time),
        };
        return await db.ExecuteScalarAsync<long?>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)) is { } id
            ? new CreatedJob(id)
            : Refusal.Conflict("A job with this URL already exists");
    }

    private static Refusal? StatusesRefusal(IReadOnlyList<string>? statuses) =>
        statuses?.Count > MaxStatusesPerRequest ? Refusal.BadRequest($"statuses may name no more than {MaxStatusesPerRequest} statuses") : null;

    /// <summary>Null when a row of the user's jobs changed; not found when the job is not theirs.</summary>
    private async Task<Refusal?> ChangeJobAsync(UserContext user, string sql, object parameters, CancellationToken cancellationToken) =>
        await ExecuteAsync(user, sql, parameters, cancellationToken) > 0 ? null : JobNotFound;

    private async Task<int> ExecuteAsync(UserContext user, string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    private static Task<int> RunAsync(SqliteConnection db, SqliteTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        db.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}
