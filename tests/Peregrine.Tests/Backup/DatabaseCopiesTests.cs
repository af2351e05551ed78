using Peregrine.Backup;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

[Trait(Category.Name, Category.Unit)]
public sealed class DatabaseCopiesTests : IDisposable
{
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PlaintextCopyOfAnEncryptedDbLandsAtTheExactPathEvenWithUriCharactersInIt()
    {
        var folder = _dir.Combine("a%20b #c? 'd'");
        Directory.CreateDirectory(folder);
        var database = new DatabaseLocation("owner", Path.Combine(folder, "staging.db"), DatabaseKey.Derive("secret", "owner"));
        var databases = new UserDatabases();
        using (databases.Open(database))
        {
            // The first open creates the encrypted file and its schema.
        }

        SeedJobs(database, 300);
        var copy = Path.Combine(folder, "snapshot.db");

        using (var connection = databases.Open(database))
        {
            DatabaseCopies.ExportPlaintext(connection, database.Key, copy);
        }

        databases.Evict(database);
        Assert.True(HasPlainHeader(copy));
        Assert.Equal("300", await Sqlite3Async(copy, "SELECT count(*) FROM jobs;"));
        Assert.Equal("ok", await Sqlite3Async(copy, "PRAGMA integrity_check;"));
        Assert.Equal(["snapshot.db", "staging.db"], Directory.GetFiles(folder).Select(Path.GetFileName).Where(n => !n!.Contains("-wal") && !n.Contains("-shm")).Order());
        Assert.Equal(["a%20b #c? 'd'"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }
}
