namespace Peregrine.Demo;

/// <summary>The demo's refusals, in the one error shape (problem+json).</summary>
internal static class DemoProblems
{
    public static IResult TooManyRequests(string detail) =>
        TypedResults.Problem(detail, title: "Too many requests", statusCode: StatusCodes.Status429TooManyRequests);

    /// <summary>For the demo's exception handlers: answers the request with this status as problem+json (a page for a browser).</summary>
    public static ValueTask<bool> WriteAsync(this IProblemDetailsService problems, HttpContext httpContext, int status, string title, string detail)
    {
        httpContext.Response.StatusCode = status;
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
