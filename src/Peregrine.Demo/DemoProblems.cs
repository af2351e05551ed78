namespace Peregrine.Demo;

/// <summary>The demo's refusals, in the one error shape (problem+json).</summary>
internal static class DemoProblems
{
    public static IResult TooManyRequests(string detail) =>
        TypedResults.Problem(detail, title: "Too many requests", statusCode: StatusCodes.Status429TooManyRequests);
}
