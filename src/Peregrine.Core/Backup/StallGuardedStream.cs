namespace Peregrine.Backup;

/// <summary>
/// Bounds how long a download may keep its plaintext snapshot on disk: when one write waits longer than the stall
/// timeout (a client that stopped reading), or the whole download outlasts its deadline (one reading a trickle), the
/// guard calls <c>abort</c> (the connection's abort, which fails the pending write), and the response's disposal then
/// deletes the snapshot. Kestrel's minimum response rate alone lets a client hold it for hours at 240 bytes/s.
/// </summary>
public sealed class StallGuardedStream(Stream inner, TimeSpan stallTimeout, TimeSpan deadline, Action abort, TimeProvider time) : Stream
{
    private readonly long _startedAt = time.GetTimestamp();
    private int _aborted;

    public bool Aborted => Volatile.Read(ref _aborted) == 1;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var watch = Watch();
        await inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // ZipArchive flushes its last deflate block synchronously on dispose: the same bound applies.
    public override void Write(byte[] buffer, int offset, int count)
    {
        using var watch = Watch();
        inner.Write(buffer, offset, count);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var watch = Watch();
        await inner.FlushAsync(cancellationToken);
    }

    public override void Flush()
    {
        using var watch = Watch();
        inner.Flush();
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    private ITimer Watch()
    {
        var left = deadline - time.GetElapsedTime(_startedAt);
        var due = left < stallTimeout ? (left > TimeSpan.Zero ? left : TimeSpan.Zero) : stallTimeout;
        return time.CreateTimer(_ => Abort(), null, due, Timeout.InfiniteTimeSpan);
    }

    private void Abort()
    {
        if (Interlocked.Exchange(ref _aborted, 1) == 0)
        {
            abort();
        }
    }
}
