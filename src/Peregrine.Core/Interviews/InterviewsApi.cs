using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Interviews;

/// <summary><c>GET /api/interviews</c> and the prep page's call notes over <see cref="InterviewsService"/>.</summary>
public static class InterviewsApi
{
    public static RouteGroupBuilder MapInterviews(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/interviews").RequireUser().WithTags("Interviews");
        group.MapGet("", ListPipeline).WithName("ListInterviews");

        var notes = routes.MapGroup("/api/jobs/{id:long}/notes").RequireUser().WithTags("Interviews");
        notes.MapGet("", GetNotes).WithName("GetInterviewNotes");
        notes.MapPut("", SaveNotes).WithName("SaveInterviewNotes").WithSummary("Replace the job's call notes (empty removes them)");
        return group;
    }

    public static async Task<Results<Ok<InterviewNotes>, ProblemHttpResult>> GetNotes(long id, UserContext user, InterviewsService interviews, CancellationToken cancellationToken) =>
        (await interviews.NotesAsync(user, id, cancellationToken)).ToResult(TypedResults.Ok);

    public static async Task<Results<Ok<InterviewNotes>, ProblemHttpResult>> SaveNotes(long id, NotesText body, UserContext user, InterviewsService interviews, CancellationToken cancellationToken) =>
        (await interviews.SaveNotesAsync(user, id, body.Notes, cancellationToken)).ToResult(TypedResults.Ok);

    public static async Task<Ok<IReadOnlyList<PipelineJob>>> ListPipeline(UserContext user, InterviewsService interviews, CancellationToken cancellationToken) =>
        TypedResults.Ok(await interviews.ListAsync(user, cancellationToken));
}
