using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Shards.Moves;

/// <summary>What a move did: <c>moved</c>, <c>finished</c> (an interrupted move completed), <c>already_there</c>, <c>failed</c> or <c>interrupted</c>.</summary>
[GenerateSerializer]
[Immutable]
public sealed record MoveReport(
    [property: Id(0)] string UserId,
    [property: Id(1)] string From,
    [property: Id(2)] string To,
    [property: Id(3)] string Outcome,
    [property: Id(4)] long PauseMs,
    [property: Id(5)] long Bytes,
    [property: Id(6)] string? Error = null)
{
    /// <summary>The grain ran on a shard that is not the home; nothing was done, and the call may be made again.</summary>
    public const string NotOnHome = "not_on_home";

    public bool Succeeded => Outcome is "moved" or "finished" or "already_there";
}

/// <summary>
/// Moves one user's app folder from this shard (their home, where their grain runs, so moves never overlap) to another:
/// hold the user's requests and wait for those in flight, hold the DB, send its files still encrypted, let the target
/// verify and take them, flip <c>user_shard</c>, tell every shard, let the held requests go to the new home, remove the
/// old copy. <see cref="MoveJournal"/> records each step, so running the move again after a crash anywhere finishes it
/// (after the flip) or starts it over (before).
/// </summary>
public sealed partial class UserMove(
    MoveJournal journal,
    MovePauses pauses,
    MoveTransfer transfer,
    MovedTrees trees,
    UserShardMap homes,
    UserDatabases databases,
    NpgsqlDataSource platform,
    IOptions<ShardOptions> shardOptions,
    IOptions<PeregrineOptions> options,
    ILogger<UserMove> logger)
{
    /// <summary>The steps after which a test may interrupt a move as if its process died there.</summary>
    public static readonly IReadOnlyList<string> InterruptibleSteps = ["paused", "copied", "flipped"];

    private readonly string _self = shardOptions.Value.Id!;

    public async Task<MoveReport> RunAsync(string userId, string to, string? interruptAfter, CancellationToken cancellationToken)
    {
        if (await journal.HomeAsync(userId, cancellationToken) != _self)
        {
            throw new GrainNotOnHomeException();
        }

        var record = await journal.FindAsync(userId, cancellationToken);
        if (record is { State: MoveJournal.Flipped })
        {
            // After a flip the grain runs on the new home, and only the old copy is left to remove.
            await FinishAsync(record, cancellationToken);
            if (record.ToShard == to)
            {
                return new MoveReport(userId, record.FromShard, to, "finished", record.PauseMs ?? 0, record.Bytes ?? 0);
            }
        }
        else if (record is { State: MoveJournal.Copying })
        {
            // An attempt that died before its flip: its copy on the target is stale and never served. Start over.
            await DiscardQuietlyAsync(record.ToShard, userId);
            await journal.RollBackAsync(userId, cancellationToken);
        }

        return to == _self
            ? new MoveReport(userId, _self, to, "already_there", 0, 0)
            : await MoveAsync(userId, to, interruptAfter, cancellationToken);
    }

    private async Task<MoveReport> MoveAsync(string userId, string to, string? interruptAfter, CancellationToken cancellationToken)
    {
        // Held until the old copy is gone, so a snapshot never sees the user half moved (SnapshotLock).
        await using var noSnapshot = await SnapshotLock.TryEnterMoveAsync(await platform.OpenConnectionAsync(cancellationToken), cancellationToken)
            ?? throw new MoveFailedException($"an instance snapshot (backup-all) is being taken; nothing was moved, the user stays on {_self}: run the move again when it has finished");
        var user = CloudUserResolver.ForUser(options.Value, userId);
        var pause = await pauses.PauseAsync(userId, shardOptions.Value.MoveDrainTimeout, cancellationToken);
        var flipped = false;
        long bytes = 0;
        try
        {
            using (await databases.HoldForReplacementAsync(user.Database, shardOptions.Value.MoveDrainTimeout, cancellationToken))
            // The hold above is this process's; this one keeps another process (rekey-all) from rewriting the file, or
            // its key record, while its bytes are copied.
            using (KeyRotation.HoldAgainstOtherWriters(user.Database))
            {
                // Journalled only now that nothing can change the files: from here a crash leaves a copy to discard.
                await journal.BeginAsync(userId, _self, to, cancellationToken);
                InterruptIf(interruptAfter, "paused");
                var files = await transfer.SendTreeAsync(to, userId, user.AppDirectory, cancellationToken);
                bytes = files.Sum(file => file.Bytes);
                await transfer.CommitAsync(to, userId, files, cancellationToken);
                InterruptIf(interruptAfter, "copied");
                await journal.FlipAsync(userId, _self, to, (long)pause.Elapsed.TotalMilliseconds, bytes, cancellationToken);
                flipped = true;
                homes.Remember(userId, to);
                // Anything still waiting for the hold (a background task) is refused, never served from the old copy.
                databases.MarkRemoved(user.Database);
            }

            await transfer.ForgetHomeEverywhereAsync(userId, cancellationToken);
        }
        catch (Exception e) when (!flipped && e is not MoveInterruptedException)
        {
            pause.End(movedAway: false);
            await DiscardQuietlyAsync(to, userId);
            await journal.RollBackAsync(userId, CancellationToken.None);
            LogRolledBack(logger, to, e.GetType().Name);
            throw new MoveFailedException($"{(e is MoveFailedException ? e.Message : e.GetType().Name + ": " + e.Message)}; the user stays on {_self}");
        }
        finally
        {
            pause.End(flipped);
        }

        InterruptIf(interruptAfter, "flipped");
        await FinishAsync(new MoveRecord(userId, _self, to, MoveJournal.Flipped, null, bytes), cancellationToken);
        LogMoved(logger, to, (long)pause.Elapsed.TotalMilliseconds, bytes);
        return new MoveReport(userId, _self, to, "moved", (long)pause.Elapsed.TotalMilliseconds, bytes);
    }

    private async Task FinishAsync(MoveRecord record, CancellationToken cancellationToken)
    {
        if (record.FromShard == _self)
        {
            await trees.RemoveIfMovedAwayAsync(record.UserId, cancellationToken);
        }
        else
        {
            // Resuming on the new home: the flip may have been the last thing the old home did, so tell everyone again.
            await transfer.ForgetHomeEverywhereAsync(record.UserId, cancellationToken);
            await transfer.RemoveTreeAsync(record.FromShard, record.UserId, cancellationToken);
        }

        await journal.FinishAsync(record.UserId, cancellationToken);
    }

    private async Task DiscardQuietlyAsync(string target, string userId)
    {
        try
        {
            await transfer.DiscardStagingAsync(target, userId, CancellationToken.None);
        }
        catch (Exception e) when (e is HttpRequestException or MoveFailedException or TaskCanceledException)
        {
            // A staging folder left on a target that is down is emptied by the next move to it; it is never served.
        }
    }

    private void InterruptIf(string? interruptAfter, string step)
    {
        if (interruptAfter == step && shardOptions.Value.AllowMoveInterruptions)
        {
            throw new MoveInterruptedException(step);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved a user to shard {To}: requests held {PauseMs} ms, {Bytes} bytes")]
    private static partial void LogMoved(ILogger logger, string to, long pauseMs, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A move to shard {To} failed ({Kind}) and was undone")]
    private static partial void LogRolledBack(ILogger logger, string to, string kind);
}

/// <summary>
/// The grain was activated on a shard that is not the user's home: a caller's stale view of where the grain ran (it
/// deactivates after every move, so the next call places it afresh from <c>user_shard</c>).
/// </summary>
public sealed class GrainNotOnHomeException() : Exception("the user's grain is not on their home shard; run the move again");

/// <summary>Tests only: the move stopped after <paramref name="step"/> as if its process had died, cleaning nothing up.</summary>
public sealed class MoveInterruptedException(string step) : Exception($"interrupted after {step}");
