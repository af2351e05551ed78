using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Tasks;

namespace Peregrine.Ai.CoverLetters;

/// <summary>Upstream's cover-letter generation and PDF endpoints; saving and task polling are in Jobs.</summary>
public static class CoverLettersApi
{
    public static RouteGroupBuilder MapCoverLetters(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/jobs/{id:long}/cover_letter").RequireUser().WithTags("Cover letters");

        group.MapPost("/generate", Generate).WithName("GenerateCoverLetter").WithSummary("Queue a cover_letter task");
        group.MapGet("/pdf", Pdf).WithName("GetCoverLetterPdf").WithSummary("The letter as upstream's PDF");
        return group;
    }

    public static async Task<Results<Ok<TaskSubmission>, ProblemHttpResult>> Generate(
        long id, UserContext user, CoverLetterService letters, CancellationToken cancellationToken) =>
        await letters.QueueAsync(user, id, cancellationToken) is { } submission
            ? TypedResults.Ok(submission)
            : Problems.JobNotFound();

    public static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Pdf(
        long id, UserContext user, CoverLetterService letters, CancellationToken cancellationToken) =>
        await letters.RenderPdfAsync(user, id, cancellationToken) is { } document
            ? TypedResults.File(document.Content, "application/pdf", document.FileName)
            : Problems.NotFound("No cover letter found");
}
