using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;
using Peregrine.Api.Erasure;

namespace Peregrine.Api.Shards.Moves;

/// <summary>
/// Where a user's moves and erasure run: one grain per user and home, keyed <c>&lt;user-id&gt;@&lt;home shard&gt;</c> (<see cref="KeyOf"/>),
/// always placed on that home. A grain runs one call at a time, so two moves of a user never overlap. The home is in
/// the key because a silo may remember where a grain ran after it deactivated and send the next call there: with the
/// home in the key, wherever a call for this key lands is the right shard, and a user who moved gets a new key. An
/// erasure called while a move runs waits for it, then finds the user gone from this home and is sent to the new one.
/// </summary>
public interface IUserMoveGrain : IGrainWithStringKey
{
    /// <summary>
    /// Moves the user's data to <paramref name="toShard"/> (or finishes a move that was interrupted).
    /// <paramref name="interruptAfter"/>: tests only.
    /// </summary>
    [ResponseTimeout("00:10:00")]
    Task<MoveReport> MoveToAsync(string toShard, string? interruptAfter);

    /// <summary>Erases the user on this, their home shard (<see cref="HomeErasure"/>).</summary>
    [ResponseTimeout("00:10:00")]
    Task<ErasureOutcome> EraseAsync();
}

/// <summary><c>[Immovable]</c>, as the user's files cannot follow an activation to another shard.</summary>
[Immovable]
[UserMovePlacement]
internal sealed class UserMoveGrain(ILocalSiloDetails silo, UserMove move, HomeErasure erasure) : Grain, IUserMoveGrain
{
    public static string KeyOf(string userId, string home) => $"{userId}@{home}";

    private string UserId => this.GetPrimaryKeyString().Split('@')[0];

    public async Task<MoveReport> MoveToAsync(string toShard, string? interruptAfter)
    {
        var userId = UserId;
        try
        {
            return await move.RunAsync(userId, toShard, interruptAfter, CancellationToken.None);
        }
        catch (Exception e) when (e is MoveFailedException or MoveInterruptedException or GrainNotOnHomeException)
        {
            var outcome = e switch { MoveInterruptedException => "interrupted", GrainNotOnHomeException => MoveReport.NotOnHome, _ => "failed" };
            return new MoveReport(userId, silo.Name, toShard, outcome, 0, 0, e.Message);
        }
        finally
        {
            // Nothing is kept between moves.
            DeactivateOnIdle();
        }
    }

    public async Task<ErasureOutcome> EraseAsync()
    {
        try
        {
            // Not cancellable: an erasure stopped half way would have to be run again to finish.
            return new ErasureOutcome("erased", await erasure.RunAsync(UserId, CancellationToken.None));
        }
        catch (GrainNotOnHomeException)
        {
            return new ErasureOutcome(MoveReport.NotOnHome);
        }
        catch (ErasureNotStartedException e)
        {
            return new ErasureOutcome("not_started", Error: e.Message);
        }
        catch (ErasureNotVerifiedException e)
        {
            return new ErasureOutcome("not_verified", Error: e.Message);
        }
        finally
        {
            DeactivateOnIdle();
        }
    }
}

[Serializable]
[GenerateSerializer]
[Immutable]
public sealed class UserMovePlacement : PlacementStrategy
{
    internal static UserMovePlacement Singleton { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class UserMovePlacementAttribute() : PlacementAttribute(UserMovePlacement.Singleton);

/// <summary>Places a move grain on the shard its key names, or nowhere while that shard is down.</summary>
internal sealed class UserMovePlacementDirector(ShardDirectory shards) : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var home = target.GrainIdentity.Key.ToString()!.Split('@')[^1];
        return shards.LiveShards().TryGetValue(home, out var silo) && context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new ShardUnavailableException($"shard {home} is not live");
    }
}
