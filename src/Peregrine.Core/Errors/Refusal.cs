using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Peregrine.Errors;

/// <summary>
/// Why a service did not do what was asked: the status an endpoint answers with, and words a person can read, which
/// a page shows as they are. Services check their own rules and return one of these rather than leave the check to
/// each caller, so the page and the endpoint cannot drift apart.
/// </summary>
public sealed record Refusal(int Status, string Detail, string? Title = null)
{
    public static Refusal BadRequest(string detail, string? title = null) => new(StatusCodes.Status400BadRequest, detail, title);

    public static Refusal NotFound(string detail, string? title = null) => new(StatusCodes.Status404NotFound, detail, title);

    public static Refusal Conflict(string detail, string? title = null) => new(StatusCodes.Status409Conflict, detail, title);
}

/// <summary>A service's answer: what it made, or the <see cref="Refusal"/> that stopped it.</summary>
public readonly record struct Outcome<T>(T? Value, Refusal? Refusal)
    where T : class
{
    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(null, refusal);

    /// <summary>The endpoint's answer: <paramref name="done"/> of the value, or the refusal as a problem.</summary>
    public Results<TResult, ProblemHttpResult> ToResult<TResult>(Func<T, TResult> done)
        where TResult : IResult =>
        Refusal is { } refused ? Problems.From(refused) : done(Value!);
}
