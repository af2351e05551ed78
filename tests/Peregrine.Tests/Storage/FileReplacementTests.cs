using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>A restore swaps a user's DB file; no request may write into the old file once the new one is in place.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class FileReplacementTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly TestDirectory _dir = new();
    private readonly DatabaseLocation _location;

    public FileReplacementTests() => _location = new("owner", _dir.Combine("owner", "staging.db"), StoreFixtures.NewKey());

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ReplacementWaitsForOpenConnectionsThenHoldsNewOpensUntilTheNewFileIsInPlace()
    {
        var databases = new UserDatabases();
        var inFlight = await databases.OpenAsync(_location);

        var replacing = databases.HoldForReplacementAsync(_location, Bound);
        await Task.Delay(200);
        Assert.False(replacing.IsCompleted, "the replacement waits for the open connection");
        await inFlight.DisposeAsync();

        using (var hold = await replacing.WaitAsync(Bound))
        {
            var opening = databases.OpenAsync(_location);
            await Task.Delay(200);
            Assert.False(opening.IsCompleted, "an open during the replacement waits for it");

            ReplaceWithDatabaseHolding("restored");
            hold.Dispose();

            await using var reopened = await opening.WaitAsync(Bound);
            Assert.Equal(["restored"], await reopened.QueryAsync<string>("SELECT title FROM jobs;"));
        }
    }

    [Fact]
    public async Task AReplacementThatCannotDrainTimesOutAndLeavesOpensWorking()
    {
        var databases = new UserDatabases();
        await using var stuck = await databases.OpenAsync(_location);

        await Assert.ThrowsAsync<TimeoutException>(() => databases.HoldForReplacementAsync(_location, TimeSpan.FromMilliseconds(200)));

        await using var next = await databases.OpenAsync(_location).WaitAsync(Bound);
        Assert.Equal(0, await next.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;"));
    }

    private void ReplaceWithDatabaseHolding(string title)
    {
        var replacement = _location with { Path = _dir.Combine("replacement", "staging.db") };
        var databases = new UserDatabases();
        using (var connection = databases.Open(replacement))
        {
            connection.Execute("INSERT INTO jobs (title, url) VALUES (@title, 'https://jobs.example/restored');", new { title });
            // Pooled handles close without a checkpoint: fold the WAL in before the file alone is moved (as restore's own
            // files are built unpooled, and as the service checkpoints a file before replacing it).
            connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        databases.Evict(replacement); // the replacement's own handles, not every pool (other tests' run beside these)
        File.Move(replacement.Path, _location.Path, overwrite: true);
    }
}
