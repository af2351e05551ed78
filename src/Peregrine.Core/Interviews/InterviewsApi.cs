using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Sessions;

namespace Peregrine.Interviews;

/// <summary><c>GET /api/interviews</c> over <see cref="InterviewsService"/>.</summary>
public static class InterviewsApi
{
    public static RouteGroupBuilder MapInterviews(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/interviews").RequireUser().WithTags("Interviews");
        group.MapGet("", ListPipeline).WithName("ListInterviews");
        return group;
    }

    public static async Task<Ok<IReadOnlyList<PipelineJob>>> ListPipeline(UserContext user, InterviewsService interviews, CancellationToken cancellationToken) =>
        TypedResults.Ok(await interviews.ListAsync(user, cancellationToken));
}
