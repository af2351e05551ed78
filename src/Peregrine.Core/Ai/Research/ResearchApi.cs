using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Tasks;

namespace Peregrine.Ai.Research;

/// <summary>Upstream's research endpoints.</summary>
public static class ResearchApi
{
    public static RouteGroupBuilder MapResearch(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs/{id:long}/research").RequireUser().WithTags("Research");

        group.MapGet("", Get).WithName("GetCompanyResearch");
        group.MapPost("/generate", Generate).WithName("GenerateCompanyResearch").WithSummary("Queue a company_research task (paid or BYOK)");
        group.MapGet("/task", GetTask).WithName("GetCompanyResearchTask");
        return group;
    }

    public static async Task<Results<Ok<CompanyResearch>, ProblemHttpResult>> Get(
        long id, UserContext user, CompanyResearchService research, CancellationToken cancellationToken) =>
        await research.GetAsync(user, id, cancellationToken) is { } found
            ? TypedResults.Ok(found)
            : Problems.NotFound("No research found for this job");

    public static async Task<Results<Ok<TaskSubmission>, ProblemHttpResult>> Generate(
        long id, UserContext user, CompanyResearchService research, CancellationToken cancellationToken)
    {
        if (await research.AccessAsync(user, cancellationToken) is { Allowed: false } refused)
        {
            return AiProblems.TierRequired(refused, "Company research");
        }

        return await research.QueueAsync(user, id, cancellationToken) is { } submission
            ? TypedResults.Ok(submission)
            : Problems.JobNotFound();
    }

    public static async Task<Results<Ok<TaskProgress>, ProblemHttpResult>> GetTask(
        long id, UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        await tasks.LatestForJobAsync(user, TaskTypes.CompanyResearch, id, cancellationToken) is { } progress ? TypedResults.Ok(progress) : Problems.JobNotFound();
}
