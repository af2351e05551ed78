namespace Peregrine.Storage;

/// <summary>
/// Who is using one DB file: any number of open connections (shared), or one replacement (exclusive) that waits for
/// them to close and holds new opens back until the new file is in place. Without it a request could open the old
/// file between a restore's pool eviction and its rename, and write into a file that no longer has a name.
/// A file can also be kept (<see cref="Keep"/>: work of this process is under way on it, with no connection open), and
/// retired (<see cref="TryRetire"/>) once nothing uses it: a retired instance admits nobody, so a caller that looked it
/// up just before retirement takes the fresh one instead.
/// </summary>
internal sealed class FileLeases
{
    private readonly Lock _gate = new();
    private int _shared;
    private int _kept;
    private bool _retired;
    private TaskCompletionSource? _drained;   // the replacement waits for the open connections to close
    private TaskCompletionSource? _replaced;  // new opens wait for the replacement to finish

    /// <summary>Enters as one more open connection; false when this instance was retired (look the file up again).</summary>
    public async Task<bool> TryEnterSharedAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task replacement;
            lock (_gate)
            {
                if (_retired)
                {
                    return false;
                }

                if (_replaced is null)
                {
                    _shared++;
                    return true;
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

    /// <summary>
    /// Waits (at most <paramref name="timeout"/>) until no connection is open; new opens wait until the handle is
    /// disposed. Null when this instance was retired (look the file up again).
    /// </summary>
    public async Task<IDisposable?> TryEnterExclusiveAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task drained;
        lock (_gate)
        {
            if (_retired)
            {
                return null;
            }

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

        return new ReleaseOnce(ExitExclusive);
    }

    /// <summary>Keeps the file from retiring until the handle is disposed; false when this instance was already retired.</summary>
    public bool TryKeep(out IDisposable kept)
    {
        lock (_gate)
        {
            if (_retired)
            {
                kept = new ReleaseOnce(static () => { });
                return false;
            }

            _kept++;
            kept = new ReleaseOnce(Unkeep);
            return true;
        }
    }

    /// <summary>Retires this instance if nothing uses or keeps the file; from then on it admits nobody.</summary>
    public bool TryRetire()
    {
        lock (_gate)
        {
            _retired = _retired || (_shared == 0 && _kept == 0 && _replaced is null);
            return _retired;
        }
    }

    private void Unkeep()
    {
        lock (_gate)
        {
            _kept--;
        }
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
}
