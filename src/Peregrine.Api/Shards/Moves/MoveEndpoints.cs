using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Peregrine.Api.Erasure;
using Peregrine.Sessions;

namespace Peregrine.Api.Shards.Moves;

/// <summary>What the operator's <c>move-user</c> asks a shard for.</summary>
public sealed record MoveRequest(string UserId, string To, string? InterruptAfter = null);

/// <summary>
/// <c>/internal/shards</c>: the operator's move and erasure requests, and the calls shards make to each other during a move
/// (<see cref="MoveTransfer"/>). Only callers that hold the internal token, from loopback or a trusted proxy's network
/// (<see cref="ShardInternalCalls"/>); anyone else gets a 404, as if nothing were here.
/// </summary>
public static class MoveEndpoints
{
    public static IEndpointRouteBuilder MapShardMoves(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup(ShardInternalCalls.PathPrefix).AddEndpointFilterFactory(ShardInternalCalls.RequireCaller).ExcludeFromDescription();
        group.MapPost("/moves", MoveAsync);
        group.MapDelete("/moves/{userId}/staging", DiscardStaging);
        group.MapPut("/moves/{userId}/files", ReceiveFileAsync);
        group.MapPost("/moves/{userId}/commit", CommitAsync);
        group.MapDelete("/users/{userId}/tree", RemoveTreeAsync);
        group.MapPost("/users/{userId}/forget-home", ForgetHome);
        group.MapPost("/erasures/{userId}", EraseAsync);
        return routes;
    }

    /// <summary>Runs the move under the user's grain, wherever their home is; the operator's command waits for the report.</summary>
    public static async Task<Results<Ok<MoveReport>, Conflict<MoveReport>, ProblemHttpResult>> MoveAsync(
        MoveRequest request, IGrainFactory grains, MoveJournal journal, IOptions<ShardOptions> options)
    {
        if (DirectusSessionValidator.CanonicalUserId(request.UserId) != request.UserId || string.IsNullOrWhiteSpace(request.To))
        {
            return TypedResults.Problem("A move needs a canonical user id and a target shard.", statusCode: StatusCodes.Status400BadRequest);
        }

        if (request.InterruptAfter is { } step && (!options.Value.AllowMoveInterruptions || !UserMove.InterruptibleSteps.Contains(step)))
        {
            return TypedResults.Problem("Interrupting a move is for tests only.", statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            MoveReport report;
            var attempts = 0;
            do
            {
                // The home from the platform DB itself; a move that flips it meanwhile makes the grain refuse, and the next
                // attempt uses the new home. Not cancelled with the request: a command that dies must not stop a move half way.
                // Never placed here: a user without a home (never signed in with shards on, or erased meanwhile) has nothing to move.
                if (await journal.HomeAsync(request.UserId, CancellationToken.None) is not { } home)
                {
                    return TypedResults.Conflict(new MoveReport(request.UserId, "", request.To, "failed", 0, 0, "the user has no home shard (never signed in with shards on, or erased)"));
                }

                report = await grains.GetGrain<IUserMoveGrain>(UserMoveGrain.KeyOf(request.UserId, home)).MoveToAsync(request.To, request.InterruptAfter);
            }
            while (report.Outcome == MoveReport.NotOnHome && ++attempts < 3);

            return report.Succeeded ? TypedResults.Ok(report) : TypedResults.Conflict(report);
        }
        catch (ShardUnavailableException e)
        {
            return TypedResults.Problem($"The user's home shard is not live ({e.Message}); nothing was moved.", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    /// <summary>
    /// The operator's <c>erase-user</c>, from any shard's environment: run under the user's grain on their home. Not
    /// cancelled with the request: a command that dies must not stop an erasure half way.
    /// </summary>
    public static async Task<Results<Ok<ErasureReceipt>, ProblemHttpResult>> EraseAsync(string userId, IUserEraser eraser)
    {
        try
        {
            return TypedResults.Ok(await eraser.EraseAsync(Guid.Parse(Canonical(userId)), CancellationToken.None));
        }
        catch (ErasureNotStartedException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ErasureNotVerifiedException e)
        {
            return TypedResults.Problem(e.Message, statusCode: StatusCodes.Status500InternalServerError);
        }
    }

    public static NoContent DiscardStaging(string userId, MovedTrees trees)
    {
        trees.DiscardStaging(Canonical(userId));
        return TypedResults.NoContent();
    }

    public static async Task<Results<NoContent, BadRequest<string>>> ReceiveFileAsync(string userId, string path, string sha256, HttpRequest request, MovedTrees trees)
    {
        // A user's DB may be larger than the limit that protects the public endpoints.
        if (request.HttpContext.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        return await trees.ReceiveAsync(Canonical(userId), path, sha256, request.Body, request.HttpContext.RequestAborted)
            ? TypedResults.NoContent()
            : TypedResults.BadRequest($"{path}: the bytes received do not match the checksum sent");
    }

    public static async Task<Results<NoContent, Conflict<string>>> CommitAsync(string userId, IReadOnlyList<MovedFile> files, MovedTrees trees, CancellationToken cancellationToken) =>
        await trees.CommitAsync(Canonical(userId), files, cancellationToken) is { } problem ? TypedResults.Conflict(problem) : TypedResults.NoContent();

    public static async Task<Results<NoContent, Conflict<string>>> RemoveTreeAsync(string userId, MovedTrees trees, CancellationToken cancellationToken) =>
        await trees.RemoveIfMovedAwayAsync(Canonical(userId), cancellationToken) ? TypedResults.NoContent() : TypedResults.Conflict("the user lives on this shard; nothing was removed");

    public static NoContent ForgetHome(string userId, UserShardMap homes)
    {
        homes.Forget(Canonical(userId));
        return TypedResults.NoContent();
    }

    private static string Canonical(string userId) =>
        DirectusSessionValidator.CanonicalUserId(userId) == userId ? userId : throw new BadHttpRequestException("not a canonical user id");
}
