using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>Opening a DB still at a previous server secret rekeys it in place, only from the key id its record names.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class KeyRotationTests : IDisposable
{
    private readonly TestDirectory _root = new("peregrine-rotation");

    public void Dispose() => _root.Dispose();

    [Fact]
    public void ADbAtThePreviousSecretIsRekeyedToTheCurrentOneWhenOpened()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 5).Single();
        var path = DatabasePath(_root.Path, user);
        Assert.Equal(ServerKeyRing.IdOf(S1), KeyRecord.Read(path)!.KeyId);

        using (var connection = new UserDatabases().Open(User(_root.Path, user, S2, S1).Database))
        {
            Assert.Equal(5, connection.ExecuteScalar<long>("SELECT count(*) FROM jobs;"));
        }

        Assert.Equal(new KeyRecord(ServerKeyRing.IdOf(S2)), KeyRecord.Read(path));
        Assert.Equal($$"""{"key_id":"{{ServerKeyRing.IdOf(S2)}}"}""", File.ReadAllText(KeyRecord.PathFor(path)));
        Assert.Equal(5, JobsWithStockSqlCipher(path, S2, user));
        Assert.Null(JobsWithStockSqlCipher(path, S1, user));
        Assert.Equal(OwnerOnly, File.GetUnixFileMode(KeyRecord.PathFor(path)));

        // Dapper caches every SQL text and connection string it sees for the life of the process: no key may be among them.
        var cached = SqlMapper.GetCachedSQL().ToList();
        foreach (var key in new[] { HandKey(S1, user), HandKey(S2, user) })
        {
            Assert.DoesNotContain(cached, entry => (entry.Item1 + entry.Item2).Contains(key.ToHex(), StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public void ADbRecordedAtAKeyIdNoSecretHasIsReportedAndLeftAsItIs()
    {
        var user = CreateUsers(_root.Path, S3, count: 1, jobs: 2).Single();
        var path = DatabasePath(_root.Path, user);

        var refused = Assert.Throws<UnknownKeyIdException>(() => new UserDatabases().Open(User(_root.Path, user, S2, S1).Database));

        Assert.Equal(ServerKeyRing.IdOf(S3), refused.KeyId);
        Assert.DoesNotContain(S3, refused.Message, StringComparison.Ordinal);
        Assert.Equal(2, JobsWithStockSqlCipher(path, S3, user));
        Assert.Equal(new KeyRecord(ServerKeyRing.IdOf(S3)), KeyRecord.Read(path));
    }

    [Fact]
    public void APreviousSecretTheRecordDoesNotNameIsNeverTried()
    {
        // The file is at S1, but its record names S3: even with S1 configured as previous, S1 is not guessed at.
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 2).Single();
        var path = DatabasePath(_root.Path, user);
        KeyRecord.Write(path, new KeyRecord(ServerKeyRing.IdOf(S3)));

        Assert.Throws<UnknownKeyIdException>(() => new UserDatabases().Open(User(_root.Path, user, S2, S1).Database));
        Assert.Equal(2, JobsWithStockSqlCipher(path, S1, user));
    }

    [Fact]
    public void ADbWithoutARecordIsNotGuessedAtEither()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 2).Single();
        var path = DatabasePath(_root.Path, user);
        File.Delete(KeyRecord.PathFor(path));

        Assert.Equal(KeyState.Unrecorded, KeyRotation.EnsureCurrent(User(_root.Path, user, S2, S1).Database, TimeSpan.Zero));
        Assert.Equal(2, JobsWithStockSqlCipher(path, S1, user));
    }

    [Fact]
    public void AnInterruptedRekeyRecordLetsEitherKeyOpenTheFile()
    {
        // {key_id: S1, rekeying_to: S2}: the state between the two record writes. A crash there leaves the file at S1 ...
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 3).Single();
        var path = DatabasePath(_root.Path, user);
        KeyRecord.Write(path, new KeyRecord(ServerKeyRing.IdOf(S1), ServerKeyRing.IdOf(S2)));

        // ... and a process whose current key is a third one still finds it through the record, then rekeys it.
        Assert.Equal(KeyState.Rekeyed, KeyRotation.EnsureCurrent(User(_root.Path, user, S3, S2, S1).Database, TimeSpan.Zero));
        Assert.Equal(3, JobsWithStockSqlCipher(path, S3, user));
    }

    [Fact]
    public void ADbAnotherConnectionHoldsIsNotRekeyedUnderIt()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 2).Single();
        var path = DatabasePath(_root.Path, user);
        var service = new UserDatabases();
        var stillAtS1 = User(_root.Path, user, S1).Database;

        // An idle pooled WAL handle, as the running service keeps one, holds its shared lock.
        service.Open(stillAtS1).Dispose();
        Assert.True(service.IsPooled(stillAtS1));

        Assert.Throws<DatabaseInUseException>(() => KeyRotation.EnsureCurrent(User(_root.Path, user, S2, S1).Database, TimeSpan.Zero));
        Assert.Equal(2, JobsWithStockSqlCipher(path, S1, user));
        using var stillWorks = service.Open(stillAtS1);
        Assert.Equal(2, stillWorks.ExecuteScalar<long>("SELECT count(*) FROM jobs;"));
    }

    [Fact]
    public void APreparedDbRekeyedBehindTheServiceIsPreparedAgainInsteadOfFailing()
    {
        var (user, other) = (CreateUsers(_root.Path, S1, 2, jobs: 4)[0], CreateUsers(_root.Path, S1, 1, jobs: 1)[0]);
        var service = new UserDatabases(new StorageOptions { MaxPooledDatabases = 1 });
        var location = User(_root.Path, user, S2, S1).Database;
        service.Open(location).Dispose();

        // Its pool falls out of the LRU, then an older replica (S1 current, S2 previous) rekeys the file back to S1.
        service.Open(User(_root.Path, other, S2, S1).Database).Dispose();
        Assert.False(service.IsPooled(location));
        Assert.Equal(KeyState.Rekeyed, KeyRotation.EnsureCurrent(User(_root.Path, user, S1, S2).Database, TimeSpan.Zero));

        using var connection = service.Open(location);
        Assert.Equal(4, connection.ExecuteScalar<long>("SELECT count(*) FROM jobs;"));
        Assert.Equal(4, JobsWithStockSqlCipher(DatabasePath(_root.Path, user), S2, user));
    }

    [Fact]
    public void KeyIdsAreShortStableAndDoNotContainTheSecret()
    {
        Assert.Matches("^[0-9a-f]{8}$", ServerKeyRing.IdOf(S1));
        Assert.Equal(ServerKeyRing.IdOf(S1), new ServerKeyRing(S1, []).CurrentId);
        Assert.NotEqual(ServerKeyRing.IdOf(S1), ServerKeyRing.IdOf(S2));
        Assert.DoesNotContain(S1, new ServerKeyRing(S2, [S1]).ToString(), StringComparison.Ordinal);
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
}
