namespace Peregrine.Storage;

/// <summary>
/// Where one owner's DB file is and the key it is opened with (<c>null</c> only in local mode, where upstream's
/// self-hosted DB is plain SQLite). <paramref name="OwnerId"/> identifies the owner for pooling and eviction.
/// </summary>
public sealed record DatabaseLocation(string OwnerId, string Path, DatabaseKey? Key)
{
    /// <summary>The owner's current and previous keys (cloud mode): a DB still at a previous key is rekeyed when prepared.</summary>
    public DatabaseKeys? Keys { get; init; }
}
