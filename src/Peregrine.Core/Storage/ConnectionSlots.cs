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
    private readonly SemaphoreSlim _slots = new(Math.Max(1, perFile));

    /// <summary>Waits for a slot; the returned action gives it back (a no-op when none was taken).</summary>
    public async ValueTask<Action> EnterAsync(CancellationToken cancellationToken) =>
        await _slots.WaitAsync(wait, cancellationToken) ? Releaser() : static () => { };

    public Action Enter() => _slots.Wait(wait) ? Releaser() : static () => { };

    private Action Releaser()
    {
        var released = 0;
        return () =>
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                _slots.Release();
            }
        };
    }
}
