using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

/// <summary>
/// Another process (a restore, an erasure, the operator) may replace or remove a DB file this process has pooled:
/// the next open must see the file that is there now, never the stale handle.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class FileIdentityTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void AFileRecreatedByAnotherProcessIsReopenedNotServedFromTheStaleHandle()
    {
        var key = StoreFixtures.NewKey();
        var live = new DatabaseLocation("owner", _dir.Combine("owner", "staging.db"), key);
        var databases = new UserDatabases();
        using (var connection = databases.Open(live))
        {
            connection.Execute("INSERT INTO jobs (title, url) VALUES ('Old', 'https://jobs.example/old');");
        }

        ReplaceFromElsewhere(live, "New");

        using var again = databases.Open(live);
        Assert.Equal(["New"], again.Query<string>("SELECT title FROM jobs"));
    }

    [Fact]
    public void ATreeRemovedByAnotherProcessIsRefusedAndNotRecreated()
    {
        var live = new DatabaseLocation("owner", _dir.Combine("owner", "app", "staging.db"), StoreFixtures.NewKey());
        var databases = new UserDatabases();
        using (var connection = databases.Open(live))
        {
            connection.Execute("INSERT INTO jobs (title, url) VALUES ('Erased', 'https://jobs.example/erased');");
        }

        Directory.Delete(_dir.Combine("owner"), recursive: true);

        var refused = Record.Exception(() => databases.Open(live).Dispose());
        Assert.Equal("UserDataRemovedException", refused?.GetType().Name);
        Assert.False(Directory.Exists(_dir.Combine("owner")), "the removed tree was recreated");
    }

    /// <summary>
    /// What another process does when it erases the tree and a new sign-in there recreates it. (Renaming a file over a
    /// DB another process has open in WAL mode is never safe: the stale <c>-wal</c> would be replayed into the new file,
    /// and SQLite's close leaves it there on purpose because the DB "has moved"; so replacements stay in one process.)
    /// </summary>
    private static void ReplaceFromElsewhere(DatabaseLocation live, string title)
    {
        Directory.Delete(Path.GetDirectoryName(live.Path)!, recursive: true);
        Directory.CreateDirectory(Path.GetDirectoryName(live.Path)!);
        // Unpooled: this process's SQLite pool is shared by connection string and would hand back the stale handle.
        using var connection = SqliteDatabase.Open(live.Path, live.Key, pooling: false);
        SchemaMigrator.Migrate(connection, MigrationSet.Embedded, TimeProvider.System);
        connection.Execute("INSERT INTO jobs (title, url) VALUES (@title, 'https://jobs.example/new');", new { title });
    }
}
