using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Peregrine.Api.Shards;

/// <summary>
/// One grain per user (keyed by the user id), living on the user's home shard: where work that must not run twice at
/// once for one user is serialised (a move runs in its companion <see cref="Moves.IUserMoveGrain"/>; restore and erasure
/// and erasure too). It answers the user's home, which is how a user's first request anywhere gets them placed.
/// </summary>
public interface IUserHomeGrain : IGrainWithStringKey
{
    /// <summary>
    /// The shard this user's grain runs on: their home. Called once per new user, so the timeout only bounds the rare
    /// wait for a home that died the moment it was chosen (then the caller answers 503); 5 s was too short for a burst
    /// of first placements on a cold cluster of shards sharing two cores.
    /// </summary>
    [ResponseTimeout("00:00:15")]
    Task<string> GetHomeShardAsync();
}

/// <summary>
/// <c>[Immovable]</c>: Orleans may otherwise migrate an activation to balance load, but the user's files are on one
/// shard's disk and cannot follow it.
/// </summary>
[Immovable]
[UserShardPlacement]
internal sealed class UserHomeGrain(UserShardMap map) : Grain, IUserHomeGrain
{
    /// <summary>
    /// From the map, not from where this activation runs: an activation outlives an erasure (which deletes the user's
    /// placement), and a new sign-in of the same id must then be placed afresh rather than sent to the old home.
    /// </summary>
    public async Task<string> GetHomeShardAsync() => await map.PlaceAsync(this.GetPrimaryKeyString(), CancellationToken.None);
}

/// <summary>Places a user's grain on the shard <c>user_shard</c> names, placing a new user first.</summary>
[Serializable]
[GenerateSerializer]
[Immutable]
public sealed class UserShardPlacement : PlacementStrategy
{
    internal static UserShardPlacement Singleton { get; } = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class UserShardPlacementAttribute() : PlacementAttribute(UserShardPlacement.Singleton);

/// <summary>
/// Orleans' own placements cannot be used: hash placement is a modulo over the current silos (a user would change
/// shards whenever one joins or leaves), and the others pick freely. The home comes from <c>user_shard</c>, and a grain
/// whose home is down is not placed anywhere else.
/// </summary>
internal sealed class UserShardPlacementDirector(UserShardMap map, ShardDirectory shards) : IPlacementDirector
{
    public async Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var userId = target.GrainIdentity.Key.ToString()!;
        var home = await map.PlaceAsync(userId, CancellationToken.None);
        return shards.LiveShards().TryGetValue(home, out var silo) && context.GetCompatibleSilos(target).Contains(silo)
            ? silo
            : throw new ShardUnavailableException($"shard {home} is not live");
    }
}
