using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Peregrine.Web;

/// <summary>
/// Pages call the same handlers the JSON endpoints map; these read what a handler answered, so a page shows the
/// endpoint's own message (validation, not found, busy) instead of rules of its own.
/// </summary>
public static class ResultValues
{
    public static T? ValueOf<T>(this IResult result) =>
        (result is INestedHttpResult nested ? nested.Result : result) is IValueHttpResult<T> value ? value.Value : default;

    /// <summary>The problem's message, or null when the handler succeeded.</summary>
    public static string? ProblemOf(this IResult result) =>
        (result is INestedHttpResult nested ? nested.Result : result) is ProblemHttpResult problem
            ? problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title
            : null;

    public static int? StatusOf(this IResult result) =>
        (result is INestedHttpResult nested ? nested.Result : result) is IStatusCodeHttpResult status ? status.StatusCode : null;
}
