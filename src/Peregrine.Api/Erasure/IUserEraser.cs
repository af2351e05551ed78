namespace Peregrine.Api.Erasure;

/// <summary>
/// Where a user's erasure runs. A single host erases here (<see cref="LocalUserEraser"/>); a shard hands it to the
/// user's grain on their home shard, so it never runs beside a move of theirs (<c>Shards.Moves.HomeShardEraser</c>).
/// Both throw what <see cref="UserErasure.EraseAsync"/> throws.
/// </summary>
public interface IUserEraser
{
    Task<ErasureReceipt> EraseAsync(Guid userId, CancellationToken cancellationToken);
}

internal sealed class LocalUserEraser(UserErasure erasure) : IUserEraser
{
    public Task<ErasureReceipt> EraseAsync(Guid userId, CancellationToken cancellationToken) => erasure.EraseAsync(userId, cancellationToken);
}
