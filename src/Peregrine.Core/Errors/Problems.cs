using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Peregrine.Errors;

/// <summary>
/// The API's error responses: problem+json whose <c>detail</c> carries upstream's message (its SPA reads <c>detail</c>);
/// the title is the status's own unless one is given.
/// </summary>
public static class Problems
{
    public static ProblemHttpResult JobNotFound() => NotFound("Job not found");

    public static ProblemHttpResult NotFound(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult BadRequest(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest);

    public static ProblemHttpResult Conflict(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult Forbidden(string detail) => TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden);

    /// <summary>A service's refusal as the endpoint answers it.</summary>
    public static ProblemHttpResult From(Refusal refusal) =>
        TypedResults.Problem(refusal.Detail, title: refusal.Title, statusCode: refusal.Status);
}
