using System.Collections.Concurrent;

namespace Peregrine.Backup;

/// <summary>
/// One export or restore per user at a time: a second one is refused (409) rather than queued, because a restore
/// racing an export (or another restore) would swap the DB under it.
/// </summary>
public sealed class UserOperationLocks
{
    private readonly ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);

    /// <summary>Returns a handle that releases on dispose, or null when the user already has an operation running.</summary>
    public IDisposable? TryAcquire(string userId) =>
        _held.TryAdd(userId, 0) ? new ReleaseOnce(() => _held.TryRemove(userId, out _)) : null;
}
