namespace Peregrine.Api.Shards;

/// <summary>
/// A request body that keeps, in memory, what has been read of it up to a limit, so a forwarder can send it again when
/// the shard it was sent to turns out to be a former home (421). Unlike ASP.NET's <c>EnableBuffering</c>, it needs no
/// length up front (a chunked body is kept too) and never spills the user's content to a temporary file on disk. Past
/// the limit it stops keeping and the body can no longer be replayed; reading it is unaffected.
/// </summary>
internal sealed class ReplayableBody(Stream inner, int limit) : Stream
{
    private byte[] _kept = [];
    private int _keptLength;
    private bool _overflowed;
    private int _replayPosition = -1;

    /// <summary>True once the body has been put back to its start: everything read so far will be read again first.</summary>
    public bool TryRewind()
    {
        if (_overflowed)
        {
            return false;
        }

        _replayPosition = 0;
        return true;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_replayPosition >= 0 && _replayPosition < _keptLength)
        {
            var count = Math.Min(buffer.Length, _keptLength - _replayPosition);
            _kept.AsMemory(_replayPosition, count).CopyTo(buffer);
            _replayPosition += count;
            return count;
        }

        var read = await inner.ReadAsync(buffer, cancellationToken);
        Keep(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

    private void Keep(ReadOnlySpan<byte> read)
    {
        // A replayed body is not kept again: a request is resent once at most.
        if (_overflowed || read.IsEmpty || _replayPosition >= 0)
        {
            return;
        }

        if (_keptLength + read.Length > limit)
        {
            _overflowed = true;
            _kept = [];
            _keptLength = 0;
            return;
        }

        if (_keptLength + read.Length > _kept.Length)
        {
            Array.Resize(ref _kept, Math.Min(limit, Math.Max(_keptLength + read.Length, Math.Max(4096, _kept.Length * 2))));
        }

        read.CopyTo(_kept.AsSpan(_keptLength));
        _keptLength += read.Length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
