using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>
/// A user's raw key lives in Microsoft.Data.Sqlite's pool groups (one per connection string). When our pool retires a
/// file, nothing of the library may still hold its key or its memory: before, every user touched in the last minutes
/// kept both (16 KB per user).
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class KeyLifetimeTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private DatabaseLocation Owner(int n) => new($"owner-{n}", _dir.Combine($"owner-{n}", "staging.db"), StoreFixtures.NewKey());

    private static List<string> HeldFor(DatabaseLocation location) =>
        SqlitePoolGroups.HeldConnectionStrings()
            .Where(held => held.Contains(location.Key!.ToHex(), StringComparison.OrdinalIgnoreCase) || held.Contains(location.Path, StringComparison.Ordinal))
            .ToList();

    [Fact]
    public void TheLibrarysPoolInternalsAreFoundSoRetiredKeysCanBeDropped() => Assert.True(SqlitePoolGroups.IsSupported);

    [Fact]
    public void AFileThatLeavesThePoolLeavesNoPoolGroupHoldingItsKey()
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 1 });
        var (first, second) = (Owner(1), Owner(2));
        using (var connection = databases.Open(first))
        {
            Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT count(*) FROM jobs;"));
        }

        Assert.NotEmpty(HeldFor(first)); // pooled: the library holds it, and this test sees where

        using (databases.Open(second))
        {
        }

        Assert.False(databases.IsPooled(first));
        Assert.Empty(HeldFor(first));
        Assert.NotEmpty(HeldFor(second));

        using var again = databases.Open(first); // and it still opens, with its key
        Assert.Equal(0L, again.ExecuteScalar<long>("SELECT count(*) FROM jobs;"));
    }

    [Fact]
    public void AFileEvictedWhileInUseDropsItsKeyWhenItsLastConnectionCloses()
    {
        var databases = new UserDatabases(new StorageOptions { MaxPooledDatabases = 1 });
        var (first, second) = (Owner(1), Owner(2));
        var open = databases.Open(first);
        using (databases.Open(second))
        {
        }

        Assert.False(databases.IsPooled(first));
        open.Dispose();

        Assert.Empty(HeldFor(first));
        Assert.Equal(1, databases.KnownFileCount);
    }

    [Fact]
    public async Task ForgettingAFileWhileOtherRequestsOpenNewFilesNeverFails()
    {
        // The library adds a pool group under its own lock whenever a connection string is new (a user's first request,
        // a preparation's temp): a removal that enumerated the map under another lock failed with "Collection was
        // modified" and turned an eviction into a 500 (seen in CI, under load).
        var gone = _dir.Combine("gone", "staging.db");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var opened = 0;
        var opener = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested && opened < 20_000)
            {
                using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_dir.Combine("new", $"{opened++}.db")}");
            }
        });
        var forgets = 0;
        var forgetter = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                SqlitePoolGroups.Forget(gone);
                forgets++;
                // The library's lock is not fair: a loop that takes it again at once could keep the opener out for the
                // whole run (seen: 0 opens), and then nothing would race.
                Thread.Yield();
            }
        });

        try
        {
            await Task.WhenAll(opener, forgetter).WaitAsync(TimeSpan.FromSeconds(30));
        }
        finally
        {
            SqlitePoolGroups.Forget(_dir.Combine("new")); // the groups this test made, gone from the process-wide map
        }

        Assert.True(opened > 100 && forgets > 100, $"{opened} opens, {forgets} removals");
    }

    [Fact]
    public void AnEvictionForARestoreOrAnErasureDropsTheKeyToo()
    {
        var databases = new UserDatabases();
        var owner = Owner(1);
        databases.Open(owner).Dispose();

        databases.Evict(owner);

        Assert.Empty(HeldFor(owner));
    }
}
