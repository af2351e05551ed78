using Peregrine.Backup;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Backup;

/// <summary>A client that stops reading a backup download cannot keep its plaintext snapshot on disk.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class StalledDownloadTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 600)]
    [InlineData(600, 1)]
    public async Task AStalledOrEndlessDownloadIsAbortedAndItsSnapshotDeleted(int stallSeconds, int deadlineSeconds)
    {
        var snapshot = _dir.Combine("staging.db.tmp-snapshot");
        // Random, so the zip cannot deflate it into fewer bytes than the client accepts.
        await File.WriteAllBytesAsync(snapshot, System.Security.Cryptography.RandomNumberGenerator.GetBytes(256 * 1024));
        var user = new UserContext
        {
            UserId = "owner",
            App = "peregrine",
            AppDirectory = _dir.Path,
            Database = new DatabaseLocation("owner", _dir.Combine("staging.db"), Key: null),
            IsCloud = true,
        };
        var client = new NeverReadingClient();
        var backup = new PreparedBackup(user, [], snapshot, schemaVersion: null, DateTimeOffset.UtcNow);
        var guarded = new StallGuardedStream(client, TimeSpan.FromSeconds(stallSeconds), TimeSpan.FromSeconds(deadlineSeconds), client.Abort, TimeProvider.System);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => backup.WriteToAsync(guarded, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        backup.Dispose(); // what the response does when the request ends

        Assert.True(guarded.Aborted);
        Assert.False(File.Exists(snapshot));
    }

    /// <summary>Accepts a few bytes, then blocks every write until the connection is aborted (what Kestrel does).</summary>
    private sealed class NeverReadingClient : MemoryStream
    {
        private readonly CancellationTokenSource _aborted = new();

        public void Abort() => _aborted.Cancel();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Length > 1024)
            {
                await Task.Delay(Timeout.Infinite, _aborted.Token);
            }

            await base.WriteAsync(buffer, cancellationToken);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _aborted.Token.ThrowIfCancellationRequested();
            base.Write(buffer, offset, count);
        }
    }
}
