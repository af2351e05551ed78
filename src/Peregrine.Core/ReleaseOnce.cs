namespace Peregrine;

/// <summary>A handle whose <see cref="Dispose"/> runs its release exactly once, however often (and from whichever thread) it is disposed.</summary>
internal sealed class ReleaseOnce(Action release) : IDisposable
{
    private int _released;

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            release();
        }
    }
}
