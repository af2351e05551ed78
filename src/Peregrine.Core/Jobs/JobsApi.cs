using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Ai.CoverLetters;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>
/// The job review and pipeline endpoints of upstream's API: upstream's paths, JSON shapes and messages
/// over <see cref="JobsService"/>, which the web pages call too.
/// </summary>
public static class JobsApi
{
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

    public static async Task<Results<Ok<IReadOnlyList<JobSummary>>, ProblemHttpResult>> ListJobs(
        UserContext user, JobsService jobs, string? status, int? limit, CancellationToken cancellationToken) =>
        (await jobs.ListAsync(user, status, limit, cancellationToken)).ToResult(TypedResults.Ok);

    public static async Task<Ok<JobCounts>> GetCounts(UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        TypedResults.Ok(await jobs.CountAsync(user, cancellationToken));

    public static async Task<Results<Ok<JobDetail>, ProblemHttpResult>> GetJob(
        long id, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        await jobs.GetAsync(user, id, cancellationToken) is { } job ? TypedResults.Ok(job) : Problems.JobNotFound();

    public static async Task<Results<Created<CreatedJob>, ProblemHttpResult>> CreateJob(
        NewJob job, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        (await jobs.CreateAsync(user, job, cancellationToken)).ToResult(created => TypedResults.Created($"/{user.App}/api/jobs/{created.Id}", created));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Approve(long id, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        Done(await jobs.ApproveAsync(user, id, cancellationToken));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Reject(long id, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        Done(await jobs.RejectAsync(user, id, cancellationToken));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Revert(
        long id, StatusChange change, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        Done(await jobs.RevertAsync(user, id, change.Status, cancellationToken));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> MarkApplied(
        long id, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        Done(await jobs.MarkAppliedAsync(user, id, cancellationToken));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Move(
        long id, PipelineMove move, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        Done(await jobs.MoveAsync(user, id, move, cancellationToken));

    public static async Task<Results<Ok<ArchivedResponse>, ProblemHttpResult>> Archive(
        StatusSelection selection, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        (await jobs.ArchiveAsync(user, selection.Statuses, cancellationToken)).ToResult(TypedResults.Ok);

    /// <summary>Upstream answers each purge target in its own shape.</summary>
    public static async Task<Results<Ok<DeletedResponse>, Ok<EmailPurgedResponse>, Ok<OkResponse>, ProblemHttpResult>> Purge(
        PurgeRequest request, UserContext user, JobsService jobs, CancellationToken cancellationToken)
    {
        var (purged, refused) = await jobs.PurgeAsync(user, request, cancellationToken);
        return purged is null ? Problems.From(refused!) : request.Target switch
        {
            PurgeTargets.Email => TypedResults.Ok(new EmailPurgedResponse(true, purged.Contacts, purged.Jobs)),
            PurgeTargets.Rescrape => TypedResults.Ok(OkResponse.Yes),
            _ => TypedResults.Ok(new DeletedResponse(true, purged.Jobs)),
        };
    }

    public static async Task<Results<Accepted<QueuedResponse>, ProblemHttpResult>> AddUrls(
        UrlImport import, UserContext user, JobsService jobs, CancellationToken cancellationToken) =>
        (await jobs.ImportUrlsAsync(user, import.Urls ?? [], cancellationToken)).ToResult(queued => TypedResults.Accepted((string?)null, queued));

    /// <summary>
    /// Multipart field <c>file</c> → <c>{queued, total}</c>, total being the rows that had a URL. The form is read by
    /// hand (not bound), and a cross-site <c>Origin</c> is refused: unlike a JSON body, a multipart POST is something
    /// any web page can make a browser send with the user's cookie.
    /// </summary>
    public static async Task<Results<Accepted<CsvQueuedResponse>, ProblemHttpResult>> UploadCsv(
        HttpRequest request, UserContext user, JobsService jobs, CancellationToken cancellationToken)
    {
        if (IsCrossSite(request))
        {
            return Problems.Forbidden("Cross-site uploads are not accepted");
        }

        if (!request.HasFormContentType || request.ContentLength > JobsService.MaxCsvBytes + (64 * 1024))
        {
            return Problems.BadRequest(CsvFileProblem);
        }

        var form = await request.ReadFormOrBadRequestAsync(cancellationToken);
        if (form.Files.GetFile("file") is not { } file || file.Length > JobsService.MaxCsvBytes)
        {
            return Problems.BadRequest(CsvFileProblem);
        }

        var imported = await jobs.ImportCsvAsync(user, file.OpenReadStream(), cancellationToken);
        return imported.ToResult(queued => TypedResults.Accepted((string?)null, queued));
    }

    public static string CsvFileProblem => $"Send a multipart form with a CSV 'file' of at most {JobsService.MaxCsvBytes / 1024} KB";

    /// <summary>The one cover-letter save, <see cref="CoverLetterService.SaveAsync"/>, which the job page calls too.</summary>
    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> SaveCoverLetter(
        long id, CoverLetterText body, UserContext user, CoverLetterService letters, CancellationToken cancellationToken) =>
        Done(await letters.SaveAsync(user, id, body.Text, cancellationToken));

    public static async Task<Results<Ok<TaskProgress>, ProblemHttpResult>> GetCoverLetterTask(
        long id, UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        await tasks.LatestForJobAsync(user, TaskTypes.CoverLetter, id, cancellationToken) is { } progress ? TypedResults.Ok(progress) : Problems.JobNotFound();

    private static Results<Ok<OkResponse>, ProblemHttpResult> Done(bool found) => found ? TypedResults.Ok(OkResponse.Yes) : Problems.JobNotFound();

    private static Results<Ok<OkResponse>, ProblemHttpResult> Done(Refusal? refused) => refused is null ? TypedResults.Ok(OkResponse.Yes) : Problems.From(refused);

    private static bool IsCrossSite(HttpRequest request) =>
        request.Headers.Origin.ToString() is { Length: > 0 } origin
        && (!Uri.TryCreate(origin, UriKind.Absolute, out var source) || !string.Equals(source.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase));
}
