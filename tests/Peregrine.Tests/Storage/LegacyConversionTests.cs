using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

[Trait(Category.Name, Category.Unit)]
public sealed class LegacyConversionTests : IDisposable
{
    private readonly TestDirectory _dir = new();
    private readonly DatabaseKey _key = StoreFixtures.NewKey();

    public void Dispose() => _dir.Dispose();

    private DatabaseLocation Location => new("owner", _dir.Combine("staging.db"), _key);

    [Fact]
    public void PlaintextUpstreamDatabaseIsConvertedToRawKeyKeepingEveryRow()
    {
        StoreFixtures.CreatePlaintextUpstreamDatabase(Location.Path, jobs: 7);

        using (var connection = new UserDatabases().Open(Location))
        {
            Assert.Equal(7, StoreFixtures.Count(connection, "jobs"));
        }

        Assert.False(StoreFixtures.HasPlainHeader(Location.Path));
        using var stock = StoreFixtures.OpenWithStockSqlCipher4(Location.Path, _key);
        Assert.Equal(7, StoreFixtures.Count(stock, "jobs"));
        Assert.Equal(1, StoreFixtures.Count(stock, "job_contacts"));
        Assert.Empty(Directory.GetFiles(_dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void PassphraseKeyedDatabaseIsConvertedToRawKeyKeepingEveryRow()
    {
        StoreFixtures.CreatePassphraseDatabase(Location.Path, _key, jobs: 5);
        Assert.Equal(DatabaseForm.Passphrase, LegacyConversion.Detect(Location.Path, _key));

        using (var connection = new UserDatabases().Open(Location))
        {
            Assert.Equal(5, StoreFixtures.Count(connection, "jobs"));
        }

        Assert.Equal(DatabaseForm.RawKey, LegacyConversion.Detect(Location.Path, _key));
        using var stock = StoreFixtures.OpenWithStockSqlCipher4(Location.Path, _key);
        Assert.Equal(5, StoreFixtures.Count(stock, "jobs"));
    }

    [Fact]
    public void NewDatabaseIsWrittenRawKeyedAndOpensWithStockSqlCipher4()
    {
        using (new UserDatabases().Open(Location))
        {
        }

        using var stock = StoreFixtures.OpenWithStockSqlCipher4(Location.Path, _key);
        Assert.Equal(0, StoreFixtures.Count(stock, "jobs"));
        Assert.Equal(DatabaseForm.RawKey, LegacyConversion.Detect(Location.Path, _key));
    }

    [Fact]
    public void CrashAfterTheTempFileIsWrittenLeavesTheOriginalOpeningInItsOldForm()
    {
        StoreFixtures.CreatePlaintextUpstreamDatabase(Location.Path, jobs: 4);
        var crashing = new UserDatabases(new StorageOptions { AfterConversionTempWritten = _ => throw new SimulatedCrash() });

        Assert.Throws<SimulatedCrash>(() => crashing.Open(Location));

        Assert.True(StoreFixtures.HasPlainHeader(Location.Path));
        using (var original = StoreFixtures.OpenPlain(Location.Path))
        {
            Assert.Equal(4, StoreFixtures.Count(original, "jobs"));
        }

        Assert.Single(Directory.GetFiles(_dir.Path, "staging.db.tmp-*"));

        // The next process: the stale temp is removed and the conversion completes.
        using (var connection = new UserDatabases().Open(Location))
        {
            Assert.Equal(4, StoreFixtures.Count(connection, "jobs"));
        }

        Assert.Empty(Directory.GetFiles(_dir.Path, "staging.db.tmp-*"));
        Assert.False(StoreFixtures.HasPlainHeader(Location.Path));
    }

    [Fact]
    public void LocalModeDatabaseStaysPlaintext()
    {
        var local = new DatabaseLocation("local", _dir.Combine("local.db"), Key: null);
        using (new UserDatabases().Open(local))
        {
        }

        Assert.True(StoreFixtures.HasPlainHeader(local.Path));
    }

    [Fact]
    public void FileUnderAnotherKeyIsRefusedAndLeftAlone()
    {
        StoreFixtures.CreatePassphraseDatabase(Location.Path, StoreFixtures.NewKey(), jobs: 1);
        var before = File.ReadAllBytes(Location.Path);

        Assert.Throws<InvalidDataException>(() => new UserDatabases().Open(Location));
        Assert.Equal(before, File.ReadAllBytes(Location.Path));
    }

    [Fact]
    public void LegacyFileWhoseSchemaSqlAttachesAnotherFileIsConvertedWithoutRunningIt()
    {
        var outside = _dir.Combine("outside", "written-by-legacy-file.db");
        Directory.CreateDirectory(Path.GetDirectoryName(outside)!);
        var payload = $"CREATE TABLE zz(a); COMMIT; ATTACH DATABASE '{outside}' AS p KEY ''; CREATE TABLE p.x(y); BEGIN;";
        File.WriteAllBytes(Location.Path, Backup.HostileDatabases.WithSchemaSql("zz", payload, jobs: 3));

        using (var connection = new UserDatabases().Open(Location))
        {
            Assert.Equal(3, StoreFixtures.Count(connection, "jobs"));
            Assert.Equal(0L, connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_schema WHERE name = 'zz';"));
        }

        Assert.False(File.Exists(outside));
        Assert.False(StoreFixtures.HasPlainHeader(Location.Path));
    }

    [Fact]
    public void LegacyFileInWalModeKeepsTheRowsOnlyItsWalHolds()
    {
        var writer = _dir.Combine("writer.db");
        using (var open = new SqliteConnection($"Data Source={writer};Pooling=False"))
        {
            open.Open();
            open.Execute("PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0;");
            open.Execute(MigrationSet.Embedded.Migrations[0].Sql);
            open.Execute("INSERT INTO jobs (title, url) VALUES ('In the WAL', 'https://jobs.example/wal');");
            // Copied while the writer is open: the row exists only in the -wal file, as after upstream was killed.
            File.Copy(writer, Location.Path);
            File.Copy(writer + "-wal", Location.Path + "-wal");
        }

        using (var connection = new UserDatabases().Open(Location))
        {
            Assert.Equal("In the WAL", connection.ExecuteScalar<string>("SELECT title FROM jobs;"));
        }

        Assert.False(StoreFixtures.HasPlainHeader(Location.Path));
    }

    [Fact]
    public void DamagedLegacyFileIsRefusedAndLeftAlone()
    {
        StoreFixtures.CreatePlaintextUpstreamDatabase(Location.Path, jobs: 2000);
        var bytes = File.ReadAllBytes(Location.Path);
        // Scribble over the middle pages, keep the header: it still looks like SQLite.
        Array.Fill(bytes, (byte)0x5A, 8192, bytes.Length - 12288);
        File.WriteAllBytes(Location.Path, bytes);

        Assert.ThrowsAny<Exception>(() => new UserDatabases().Open(Location));
        Assert.Equal(bytes, File.ReadAllBytes(Location.Path));
        Assert.Empty(Directory.GetFiles(_dir.Path, "staging.db.tmp-*"));
    }

    private sealed class SimulatedCrash : Exception;
}
