using System.Collections.Concurrent;

namespace Peregrine.Storage;

/// <summary>
/// At most a few open connections per DB file. Each pooled connection keeps its own page cache, so one user's
/// burst of concurrent requests used to open a connection (and fill a cache) per request: 15 for 16 requests. A
/// write through one connection also empties the caches of all the others. SQLite work is CPU-bound, so a few
/// connections serve a burst as fast as many. Waiting is bounded: past <paramref name="wait"/> an open goes ahead
/// over the limit, because a caller holding one connection of a file while opening another must never deadlock.
/// </summary>
internal sealed class ConnectionSlots(int perFile, TimeSpan wait)
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _byPath = new(StringComparer.Ordinal);

    /// <summary>Waits for a slot of <paramref name="path"/>; the returned action gives it back (a no-op when none was taken).</summary>
    public async ValueTask<Action> EnterAsync(string path, CancellationToken cancellationToken)
    {
        var slots = SlotsOf(path);
        return await slots.WaitAsync(wait, cancellationToken) ? Releaser(slots) : static () => { };
    }

    public Action Enter(string path)
    {
        var slots = SlotsOf(path);
        return slots.Wait(wait) ? Releaser(slots) : static () => { };
    }

    /// <summary>Drops the file's entry while no slot of it is taken (a file removed for good).</summary>
    public void Forget(string path)
    {
        if (_byPath.TryGetValue(path, out var slots) && slots.CurrentCount == Math.Max(1, perFile))
        {
            _byPath.TryRemove(new KeyValuePair<string, SemaphoreSlim>(path, slots));
        }
    }

    private SemaphoreSlim SlotsOf(string path) => _byPath.GetOrAdd(path, _ => new SemaphoreSlim(Math.Max(1, perFile)));

    private static Action Releaser(SemaphoreSlim slots)
    {
        var released = 0;
        return () =>
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                slots.Release();
            }
        };
    }
}
