using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Errors;
using Peregrine.Llm;
using Peregrine.Sessions;

namespace Peregrine.Ai.Qa;

/// <summary>Upstream's application Q&amp;A endpoints; <c>/suggest</c> answers inside the request.</summary>
public static class QaApi
{
    public static RouteGroupBuilder MapApplicationQa(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs/{id:long}/qa").RequireUser().WithTags("Application Q&A");

        group.MapGet("", Get).WithName("GetApplicationQa");
        group.MapPatch("", Save).WithName("SaveApplicationQa");
        group.MapPost("/suggest", Suggest).WithName("SuggestApplicationAnswer").WithSummary("An LLM-suggested answer (synchronous)");
        return group;
    }

    public static async Task<Results<Ok<QaItems>, ProblemHttpResult>> Get(
        long id, UserContext user, ApplicationQaService qa, CancellationToken cancellationToken) =>
        await qa.GetAsync(user, id, cancellationToken) is { } items
            ? TypedResults.Ok(new QaItems(items))
            : Problems.JobNotFound();

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Save(
        long id, QaItems body, UserContext user, ApplicationQaService qa, CancellationToken cancellationToken)
    {
        if (ApplicationQaService.Problem(body.Items) is { } problem)
        {
            return Problems.BadRequest(problem);
        }

        return await qa.SaveAsync(user, id, body.Items!, cancellationToken)
            ? TypedResults.Ok(OkResponse.Yes)
            : Problems.JobNotFound();
    }

    public static async Task<Results<Ok<QaAnswer>, ProblemHttpResult>> Suggest(
        long id, QaQuestion body, UserContext user, ApplicationQaService qa, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(body.Question) || body.Question.Length > ApplicationQaService.MaxQuestionChars)
        {
            return Problems.BadRequest($"question must be 1 to {ApplicationQaService.MaxQuestionChars} characters");
        }

        try
        {
            return await qa.SuggestAsync(user, id, body.Question, cancellationToken) is { } answer
                ? TypedResults.Ok(new QaAnswer(answer))
                : Problems.JobNotFound();
        }
        catch (LlmUnavailableException e)
        {
            return AiProblems.Unavailable(e);
        }
    }
}
