using Microsoft.Extensions.Options;
using Peregrine.Api.Erasure;

namespace Peregrine.Api.Shards.Moves;

/// <summary>What the user's grain answers for an erasure: <c>erased</c> (with the receipt), <c>not_started</c>, <c>not_verified</c> or <see cref="MoveReport.NotOnHome"/>.</summary>
[GenerateSerializer]
[Immutable]
public sealed record ErasureOutcome([property: Id(0)] string Outcome, [property: Id(1)] ErasureReceipt? Receipt = null, [property: Id(2)] string? Error = null);

/// <summary>
/// A user's erasure on their home shard, run by their grain, so never beside a move of theirs. No copy of the user may
/// outlive it, so first a move that was interrupted is settled (the old home's copy of one that had flipped is removed),
/// and every other shard drops what it holds of the user: the files a move that did not flip left on its target, which
/// a move undone does not remove. Then the erasure itself (which deletes the user's placement with the other platform
/// rows), and every shard forgets the cached home, so a new sign-in with the same id is placed afresh.
/// </summary>
public sealed class HomeErasure(UserMove move, MoveJournal journal, ShardDirectory shards, UserErasure erasure, MoveTransfer transfer, IOptions<ShardOptions> options)
{
    private readonly string _self = options.Value.Id!;

    public async Task<ErasureReceipt> RunAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            var lastMove = await journal.FindAsync(userId, cancellationToken);
            // A move "to here" does nothing but finish or undo an interrupted one; on any shard but the home it refuses.
            await move.RunAsync(userId, _self, interruptAfter: null, cancellationToken);
            await RemoveCopiesElsewhereAsync(userId, lastMove, cancellationToken);
        }
        catch (Exception e) when (e is MoveFailedException or HttpRequestException or TaskCanceledException)
        {
            throw new ErasureNotStartedException($"Copies of this account on other shards could not be removed first ({e.Message}). Nothing was erased; try again.");
        }

        var receipt = await erasure.EraseAsync(Guid.Parse(userId), cancellationToken);
        await transfer.ForgetHomeEverywhereAsync(userId, cancellationToken);
        return receipt;
    }

    /// <summary>Each other shard checks that the user does not live there before it removes anything.</summary>
    private async Task RemoveCopiesElsewhereAsync(string userId, MoveRecord? lastMove, CancellationToken cancellationToken)
    {
        var live = shards.LiveShards().Keys.Where(shard => shard != _self).ToList();
        if (lastMove is not null && new[] { lastMove.FromShard, lastMove.ToShard }.FirstOrDefault(shard => shard != _self && !live.Contains(shard)) is { } down)
        {
            throw new MoveFailedException($"shard {down}, which the user's last move involved, is not live and may hold a copy");
        }

        foreach (var shard in live)
        {
            await transfer.DiscardStagingAsync(shard, userId, cancellationToken);
            await transfer.RemoveTreeAsync(shard, userId, cancellationToken);
        }
    }
}

/// <summary>
/// Erasure in shard mode, whichever shard is asked (the user's own request is forwarded to their home first, the
/// operator's <c>erase-user</c> may reach any shard): it runs under the user's grain on their home.
/// </summary>
internal sealed class HomeShardEraser(IGrainFactory grains, MoveJournal journal, UserErasure erasure) : IUserEraser
{
    private const int Attempts = 3;

    public async Task<ErasureReceipt> EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var id = userId.ToString();
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            // The home from the platform DB itself: a move that flips it meanwhile makes the grain refuse, and the next
            // attempt goes to the new home.
            if (await journal.HomeAsync(id, cancellationToken) is not { } home)
            {
                // Never placed, or erased already: no move can run for them and no shard claims a tree of theirs, so
                // only the platform rows (and the record of the erasure) remain to be dealt with, from here.
                return await erasure.EraseAsync(userId, cancellationToken);
            }

            ErasureOutcome outcome;
            try
            {
                outcome = await grains.GetGrain<IUserMoveGrain>(UserMoveGrain.KeyOf(id, home)).EraseAsync();
            }
            catch (ShardUnavailableException)
            {
                throw new ErasureNotStartedException("The shard that holds this account's data is not reachable. Nothing was erased; try again later.");
            }

            switch (outcome.Outcome)
            {
                case "erased":
                    return outcome.Receipt!;
                case "not_started":
                    throw new ErasureNotStartedException(outcome.Error!);
                case "not_verified":
                    throw new ErasureNotVerifiedException(outcome.Error!);
            }
        }

        throw new ErasureNotStartedException("This account was being moved between shards. Nothing was erased; try again.");
    }
}
