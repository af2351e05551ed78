using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Telemetry;

namespace Peregrine.Jobs;

/// <summary>
/// The user's jobs, for the JSON API (<see cref="JobsApi"/>) and the web pages alike. Every call works in the caller's
/// own DB, so another user's ids simply do not exist (not found, never forbidden). Input rules are the static
/// <c>...Problem</c> methods, which answer upstream's message or null; a caller checks them before acting.
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

    public static string? LimitProblem(int limit) =>
        limit is < 1 or > MaxListLimit ? $"limit must be between 1 and {MaxListLimit}" : null;

    public static string? StatusesProblem(IReadOnlyList<string>? statuses) =>
        statuses?.Count > MaxStatusesPerRequest ? $"statuses may name no more than {MaxStatusesPerRequest} statuses" : null;

    public static string? CreateProblem(NewJob job) =>
        JobUrl.Canonicalize(job.Url) is null ? "url must be an absolute http(s) URL" : null;

    public static string? RevertProblem(string? status) =>
        status is null || !JobStatuses.Revertible.Contains(status) ? $"Invalid status: {status}" : null;

    public static string? MoveProblem(PipelineMove move) =>
        move.Status is null || !JobStatuses.PipelineColumns.ContainsKey(move.Status) ? $"Invalid pipeline status: {move.Status}" : null;

    /// <summary>Jobs of one status (pending by default), best match first; <paramref name="limit"/> passes <see cref="LimitProblem"/>.</summary>
    public async Task<IReadOnlyList<JobSummary>> ListAsync(UserContext user, string? status, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var command = new CommandDefinition(ListSql, new { status = status ?? JobStatuses.Pending, limit }, cancellationToken: cancellationToken);
        return [.. await db.QueryAsync<JobSummary>(command)];
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

    /// <summary>Inserts a pending job (it passed <see cref="CreateProblem"/>); null when its canonical URL is already known.</summary>
    public async Task<long?> CreateAsync(UserContext user, NewJob job, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, source, location, is_remote, salary, description, date_found, status)
            VALUES (@Title, @Company, @url, @Source, @Location, @isRemote, @Salary, @Description, @dateFound, 'pending')
            ON CONFLICT (url) DO NOTHING
            RETURNING id;
            """;

        var url = JobUrl.Canonicalize(job.Url) ?? throw new ArgumentException(CreateProblem(job), nameof(job));
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
        return await db.ExecuteScalarAsync<long?>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    /// <summary>The job's latest cover-letter task, as upstream's SPA polls it; null when the job is not this user's.</summary>
    public async Task<TaskProgress?> CoverLetterTaskAsync(UserContext user, long id, CancellationToken cancellationToken)
    {
        const string exists = "SELECT count(*) FROM jobs WHERE id = @id;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(exists, new { id }, cancellationToken: cancellationToken)) > 0
            ? BackgroundTasks.LatestFor(db, JobsApi.CoverLetterTaskType, id)
            : null;
    }

    private async Task<int> ExecuteAsync(UserContext user, string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }

    private static Task<int> RunAsync(SqliteConnection db, SqliteTransaction transaction, string sql, object? parameters, CancellationToken cancellationToken) =>
        db.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
}
