namespace Peregrine.Storage;

/// <summary>
/// Who is using one DB file: any number of open connections (shared), or one replacement (exclusive) that waits for
/// them to close and holds new opens back until the new file is in place. Without it a request could open the old
/// file between a restore's pool eviction and its rename, and write into a file that no longer has a name.
/// </summary>
internal sealed class FileLeases
{
    private readonly Lock _gate = new();
    private int _shared;
    private TaskCompletionSource? _drained;   // the replacement waits for the open connections to close
    private TaskCompletionSource? _replaced;  // new opens wait for the replacement to finish

    /// <summary>No connection holds the file and no replacement is under way.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return _shared == 0 && _replaced is null;
            }
        }
    }

    public async Task EnterSharedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task replacement;
            lock (_gate)
            {
                if (_replaced is null)
                {
                    _shared++;
                    return;
                }

                replacement = _replaced.Task;
            }

            await replacement.WaitAsync(cancellationToken);
        }
    }

    public void ExitShared()
    {
        lock (_gate)
        {
            if (--_shared == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) until no connection is open; new opens wait until the handle is disposed.</summary>
    public async Task<IDisposable> EnterExclusiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task drained;
        lock (_gate)
        {
            if (_replaced is not null)
            {
                throw new InvalidOperationException("the file is already being replaced");
            }

            _replaced = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_shared == 0)
            {
                _drained.TrySetResult();
            }

            drained = _drained.Task;
        }

        try
        {
            await drained.WaitAsync(timeout, cancellationToken);
        }
        catch
        {
            ExitExclusive();
            throw;
        }

        return new Release(ExitExclusive);
    }

    private void ExitExclusive()
    {
        TaskCompletionSource? replaced;
        lock (_gate)
        {
            replaced = _replaced;
            _replaced = null;
            _drained = null;
        }

        replaced?.TrySetResult();
    }

    private sealed class Release(Action release) : IDisposable
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
}
