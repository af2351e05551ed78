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
    public void AnEvictionForARestoreOrAnErasureDropsTheKeyToo()
    {
        var databases = new UserDatabases();
        var owner = Owner(1);
        databases.Open(owner).Dispose();

        databases.Evict(owner);

        Assert.Empty(HeldFor(owner));
    }
}
