using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>
/// Dapper must keep one cache entry per query for all user DBs, not one per user, and none of them may hold a user's
/// raw key (it held 20,005 entries and every key in memory after 10,000 users).
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class DapperCacheTests : IDisposable
{
    private const int Users = 20;
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ManyUserDatabasesShareOneCacheEntryPerQueryAndNoneHoldsAKey()
    {
        // SQL no other test runs, so other tests' entries (the cache is process-wide) do not count.
        var sql = $"SELECT count(*) AS jobs FROM jobs WHERE status = @status /* {Guid.NewGuid():N} */;";
        var databases = new UserDatabases();
        var keys = new List<DatabaseKey>();
        for (var i = 0; i < Users; i++)
        {
            var key = StoreFixtures.NewKey();
            keys.Add(key);
            using var connection = databases.Open(new DatabaseLocation($"user-{i}", _dir.Combine($"u{i}", "staging.db"), key));
            Assert.Equal(0L, connection.QuerySingle<long>(sql, new { status = "pending" }));
        }

        var cached = SqlMapper.GetCachedSQL().ToList();
        Assert.Single(cached, entry => entry.Item2 == sql);
        foreach (var key in keys)
        {
            Assert.DoesNotContain(cached, entry => entry.Item1.Contains(key.ToHex(), StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void AKeyHidingConnectionStillOpensWithItsKey()
    {
        var location = new DatabaseLocation("owner", _dir.Combine("staging.db"), StoreFixtures.NewKey());
        using (var connection = new UserDatabases().Open(location))
        {
            Assert.DoesNotContain(location.Key!.ToHex(), connection.ConnectionString, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Password", connection.ConnectionString, StringComparison.OrdinalIgnoreCase);
        }

        using var reopened = StoreFixtures.OpenWithStockSqlCipher4(location.Path, location.Key!);
        Assert.Equal(0, StoreFixtures.Count(reopened, "jobs"));
    }

    [Theory]
    [InlineData("Data Source=/a/staging.db;Mode=ReadWriteCreate", "Data Source=/b/other.db;Mode=ReadWriteCreate", true)]
    [InlineData("Data Source=\"/a;b/staging.db\";Pooling=True", "Data Source='/c/d.db';Pooling=True", true)]
    [InlineData("Data Source=/a/staging.db;Mode=ReadOnly", "Data Source=/a/staging.db;Mode=ReadWriteCreate", false)]
    [InlineData("Host=db;Database=platform", "Host=db;Database=other", false)]
    [InlineData("Host=db;Database=platform", "Host=db;Database=platform", true)]
    public void ConnectionStringsAreOneWhenOnlyTheDataSourceDiffers(string x, string y, bool same)
    {
        var comparer = SameSchemaConnectionStrings.Instance;

        Assert.Equal(same, comparer.Equals(x, y));
        if (same)
        {
            Assert.Equal(comparer.GetHashCode(x), comparer.GetHashCode(y));
        }
    }
}
