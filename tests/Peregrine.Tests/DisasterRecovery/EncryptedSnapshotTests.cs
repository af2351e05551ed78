using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary>The copy <c>backup-all</c> makes of a live DB: consistent under writes, still encrypted, and byte-stable when nothing changed.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class EncryptedSnapshotTests : IDisposable
{
    private const int PageSize = 4096;
    private readonly TestDirectory _root = new("peregrine-snapshot");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task CopiesTakenWhileAWriterCommitsHoldWholeTransactionsOnly()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 200).Single();
        var location = User(_root.Path, user, S1).Database;
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(() =>
        {
            using var connection = SqliteDatabase.Open(location.Path, location.Key, pooling: false);
            while (!stop.IsCancellationRequested)
            {
                using var transaction = connection.BeginTransaction();
                for (var i = 0; i < 10; i++)
                {
                    connection.Execute("INSERT INTO jobs (title, company, url, status) VALUES ('t', 'c', @url, 'pending');", new { url = Guid.NewGuid().ToString() }, transaction);
                }

                transaction.Commit();
            }
        });

        var copies = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            var destination = _root.Combine($"copy-{i}.db");
            var copy = EncryptedSnapshot.Copy(location, destination);
            Assert.Equal(ServerKeyRing.IdOf(S1), copy.KeyId);
            Assert.False(StoreFixtures.HasPlainHeader(destination));
            Assert.False(File.Exists(destination + "-wal"));
            using var opened = StoreFixtures.OpenWithStockSqlCipher4(destination, HandKey(S1, user));
            Assert.Equal("ok", opened.ExecuteScalar<string>("PRAGMA quick_check;"));
            copies.Add(StoreFixtures.Count(opened, "jobs"));
            await Task.Delay(20);
        }

        await stop.CancelAsync();
        await writer;
        Assert.All(copies, count => Assert.Equal(0, (count - 200) % 10));
        Assert.True(copies[^1] > copies[0], "the writer committed nothing during the copies");
    }

    [Fact]
    public void AnUnchangedDatabaseCopiesToTheSameBytesWhereTheBackupApiWouldReencryptEveryPage()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 300).Single();
        var location = User(_root.Path, user, S1).Database;

        EncryptedSnapshot.Copy(location, _root.Combine("first.db"));
        EncryptedSnapshot.Copy(location, _root.Combine("second.db"));
        Assert.Equal(File.ReadAllBytes(_root.Combine("first.db")), File.ReadAllBytes(_root.Combine("second.db")));

        // SQLite's backup API, the obvious alternative, writes every page through the destination's codec with a new IV:
        // a deduplicating repository would store each unchanged DB again in every snapshot.
        using (var source = SqliteDatabase.Open(location.Path, location.Key, pooling: false))
        using (var destination = SqliteDatabase.Open(_root.Combine("backup-api.db"), location.Key, pooling: false))
        {
            source.BackupDatabase(destination);
        }

        Assert.Equal(0, SharedPages(_root.Combine("first.db"), _root.Combine("backup-api.db")));
        Assert.True(SharedPages(_root.Combine("first.db"), location.Path) > 0);
    }

    [Fact]
    public void ARekeyCannotLandBetweenFindingTheKeyAndOpeningTheFileToCopyIt()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 20).Single();
        var location = User(_root.Path, user, S2, S1).Database;
        Exception? rekey = null;

        // The moment a rekey-all run could take: the copy has found the file at S1 and has not opened it yet.
        var copy = EncryptedSnapshot.Copy(location, _root.Combine("copy.db"), afterInspection: () =>
            rekey = Record.Exception(() => KeyRotation.EnsureCurrent(location, TimeSpan.Zero)));

        Assert.IsType<DatabaseInUseException>(rekey);
        Assert.Equal(ServerKeyRing.IdOf(S1), copy.KeyId);
        using var opened = StoreFixtures.OpenWithStockSqlCipher4(_root.Combine("copy.db"), HandKey(S1, user));
        Assert.Equal(20, StoreFixtures.Count(opened, "jobs"));
    }

    [Fact]
    public void APlainLegacyFileIsNeverCopiedOutAsItIs()
    {
        var location = User(_root.Path, Guid.NewGuid().ToString(), S1).Database;
        Directory.CreateDirectory(Path.GetDirectoryName(location.Path)!);
        StoreFixtures.CreatePlaintextUpstreamDatabase(location.Path, jobs: 3);

        Assert.Throws<PlainDatabaseException>(() => EncryptedSnapshot.Copy(location, _root.Combine("copy.db")));
        Assert.False(File.Exists(_root.Combine("copy.db")));
    }

    private static int SharedPages(string a, string b)
    {
        var (left, right) = (File.ReadAllBytes(a), File.ReadAllBytes(b));
        var shared = 0;
        for (var offset = 0; offset + PageSize <= Math.Min(left.Length, right.Length); offset += PageSize)
        {
            shared += left.AsSpan(offset, PageSize).SequenceEqual(right.AsSpan(offset, PageSize)) ? 1 : 0;
        }

        return shared;
    }
}
