using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>Issue 11, item 5: a new user's DB is built beside its name and renamed into place, complete.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class NewDatabaseFileTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ANewDatabaseArrivesMigratedInWalModeWithNothingBesideIt()
    {
        var location = new DatabaseLocation("owner", _dir.Combine("tree", "staging.db"), StoreFixtures.NewKey());

        using (var connection = new UserDatabases().Open(location))
        {
            Assert.Equal(MigrationSet.Embedded.Migrations.Select(m => m.Version), SchemaMigrator.AppliedVersions(connection));
        }

        // The pooled handle keeps -wal and -shm; no temp is left.
        Assert.DoesNotContain(Directory.GetFiles(_dir.Combine("tree")), file => file.Contains(".tmp-", StringComparison.Ordinal));
        using var stock = StoreFixtures.OpenWithStockSqlCipher4(location.Path, location.Key!);
        Assert.Equal("wal", stock.ExecuteScalar<string>("PRAGMA journal_mode;"));
        Assert.Equal("ok", stock.ExecuteScalar<string>("PRAGMA integrity_check;"));
    }

    [Fact]
    public void AFileThatAppearedMeanwhileIsNeverReplaced()
    {
        var path = _dir.Combine("staging.db");
        File.WriteAllText(path, "someone else's file");

        Assert.False(NewDatabaseFile.TryCreate(path, StoreFixtures.NewKey(), MigrationSet.Embedded, TimeProvider.System));

        Assert.Equal("someone else's file", File.ReadAllText(path));
        Assert.Equal(["staging.db"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void AFailingMigrationLeavesNoFileAndTheNextOpenBuildsIt()
    {
        var location = new DatabaseLocation("owner", _dir.Combine("staging.db"), StoreFixtures.NewKey());
        var broken = MigrationSet.Embedded.With(new Migration("999_broken", "SELECT * FROM no_such_table;"));

        Assert.Throws<MigrationFailedException>(() => new UserDatabases(new StorageOptions { Migrations = broken }).Open(location).Dispose());
        Assert.Empty(Directory.GetFiles(_dir.Path));

        using var connection = new UserDatabases().Open(location);
        Assert.Equal(MigrationSet.Embedded.LatestVersion, SchemaMigrator.AppliedVersions(connection)[^1]);
    }
}
