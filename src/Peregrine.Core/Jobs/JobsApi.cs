using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Jobs;

/// <summary>
/// The job review and pipeline endpoints of upstream's API (§6.1, 6.2), per user: every handler gets the caller's
/// own DB from <see cref="UserContext"/>, so another user's ids simply do not exist there (404, never 403).
/// </summary>
public static partial class JobsApi
{
    public const int MaxListLimit = 1000;

    public static RouteGroupBuilder MapJobs(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs").RequireUser().WithTags("Jobs");

        group.MapGet("", ListJobs).WithName("ListJobs").WithSummary("Jobs of one status, best match first");
        group.MapPost("", CreateJob).WithName("CreateJob").WithSummary("Create one job; 409 when its URL is known");
        group.MapGet("/counts", GetCounts).WithName("GetJobCounts");
        group.MapGet("/{id:long}", GetJob).WithName("GetJob");
        group.MapPost("/{id:long}/approve", Approve).WithName("ApproveJob");
        group.MapPost("/{id:long}/reject", Reject).WithName("RejectJob");
        group.MapPost("/{id:long}/revert", Revert).WithName("RevertJob");
        group.MapPost("/{id:long}/applied", MarkApplied).WithName("MarkJobApplied");
        group.MapPost("/{id:long}/move", Move).WithName("MoveJob").WithSummary("Move a job along the interview pipeline");
        group.MapPost("/archive", Archive).WithName("ArchiveJobs");
        group.MapPost("/purge", Purge).WithName("PurgeJobs");
        group.MapPost("/add", AddUrls).WithName("AddJobUrls").WithSummary("Import jobs by URL; queues a scrape per new job");
        group.MapPost("/upload-csv", UploadCsv).WithName("UploadJobCsv").WithSummary("Import the first URL of each CSV row, as /add");
        group.MapPatch("/{id:long}/cover_letter", SaveCoverLetter).WithName("SaveCoverLetter");
        group.MapGet("/{id:long}/cover_letter/task", GetCoverLetterTask).WithName("GetCoverLetterTask");
        return group;
    }

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

    public static async Task<Results<Ok<IReadOnlyList<JobSummary>>, ProblemHttpResult>> ListJobs(
        UserContext user, UserDatabases databases, string? status, int? limit, CancellationToken cancellationToken)
    {
        var take = limit ?? 50;
        if (take is < 1 or > MaxListLimit)
        {
            return Problems.BadRequest($"limit must be between 1 and {MaxListLimit}");
        }

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var command = new CommandDefinition(ListSql, new { status = status ?? JobStatuses.Pending, limit = take }, cancellationToken: cancellationToken);
        return TypedResults.Ok<IReadOnlyList<JobSummary>>([.. await db.QueryAsync<JobSummary>(command)]);
    }

    public static async Task<Ok<JobCounts>> GetCounts(UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        const string sql = "SELECT status, count(*) AS count FROM jobs GROUP BY status;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var counts = (await db.QueryAsync<(string? Status, long Count)>(new CommandDefinition(sql, cancellationToken: cancellationToken)))
            .ToDictionary(row => row.Status ?? string.Empty, row => row.Count);
        long Of(string status) => counts.GetValueOrDefault(status);
        return TypedResults.Ok(new JobCounts(
            Of(JobStatuses.Pending), Of(JobStatuses.Approved), Of(JobStatuses.Applied), Of(JobStatuses.Synced),
            Of(JobStatuses.Rejected), counts.Values.Sum()));
    }

    public static async Task<Results<Ok<JobDetail>, ProblemHttpResult>> GetJob(
        long id, UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        const string sql = $"SELECT {SummaryColumns}, cover_letter FROM jobs WHERE id = @id;";

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var job = await db.QuerySingleOrDefaultAsync<JobDetail>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
        return job is null ? Problems.JobNotFound() : TypedResults.Ok(job);
    }

    public static async Task<Results<Created<CreatedJob>, ProblemHttpResult>> CreateJob(
        NewJob job, UserContext user, UserDatabases databases, TimeProvider time, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO jobs (title, company, url, source, location, is_remote, salary, description, date_found, status)
            VALUES (@Title, @Company, @url, @Source, @Location, @isRemote, @Salary, @Description, @dateFound, 'pending')
            ON CONFLICT (url) DO NOTHING
            RETURNING id;
            """;

        if (JobUrl.Canonicalize(job.Url) is not { } url)
        {
            return Problems.BadRequest("url must be an absolute http(s) URL");
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
        var id = await db.ExecuteScalarAsync<long?>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
        return id is { } created
            ? TypedResults.Created($"/{user.App}/api/jobs/{created}", new CreatedJob(created))
            : Problems.Conflict("A job with this URL already exists");
    }
}

/// <summary>The API's error responses: problem+json whose <c>detail</c> carries upstream's message (its SPA reads <c>detail</c>).</summary>
internal static class Problems
{
    public static ProblemHttpResult JobNotFound() => NotFound("Job not found");

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict);
}
