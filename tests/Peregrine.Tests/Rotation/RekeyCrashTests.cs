using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>
/// A rekey killed (SIGKILL) inside its write transaction: the next open rolls it back to a key its record names, intact,
/// and a rerun completes it. Killed while its pages are being journaled, or after its first page reached the file,
/// when no ordinary open can roll the journal back (<see cref="InterruptedRekey"/>).
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class RekeyCrashTests : IDisposable
{
    /// <summary>Enough pages that the rekey's transaction outlasts the moment between seeing its state and the kill landing.</summary>
    private const int Jobs = 36_000;
    private readonly TestDirectory _root = new("peregrine-rekey-crash");
    private string? _originalSalt;

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ARekeyKilledMidTransactionRollsBackToAKeyItsRecordNamesAndARerunCompletesIt()
    {
        // Killed once the rollback journal exists while the record says a rekey is under way, i.e. inside PRAGMA rekey's
        // write transaction. A journal alone is not enough: leaving WAL mode just before writes the header in a short
        // transaction of its own, and a kill that came just after it left no journal (seen in CI).
        var (user, path) = await KillRekeyAllWhen(path => KeyRecord.Read(path)?.RekeyingTo is not null);

        await RerunCompletesIt(user, path);
    }

    [Fact]
    public async Task ARekeyKilledAfterItsFirstPageReachedTheFileIsRolledBackByTheNextOpenAndARerunCompletesIt()
    {
        var (user, path) = await KillRekeyAllWhen(path => KeyRecord.Read(path)?.RekeyingTo is not null && FileSalt(path) != _originalSalt);

        // The file starts with the new key's first page and the journal holds the old key's pages: neither key opens it
        // as it lies, not even stock SQLCipher.
        Assert.NotEqual(_originalSalt, FileSalt(path));
        Assert.Null(JobsWithStockSqlCipher(path, S1, user));
        Assert.Null(JobsWithStockSqlCipher(path, S2, user));

        // The service's next open rolls it back to S1, which the record names, and rekeys it.
        Assert.Equal(KeyState.Rekeyed, KeyRotation.EnsureCurrent(User(_root.Path, user, S2, S1).Database, TimeSpan.FromSeconds(10)));
        Assert.False(File.Exists(path + "-journal"));
        AssertWholeAtS2(user, path);
    }

    private async Task<(string User, string Path)> KillRekeyAllWhen(Func<string, bool> due)
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: Jobs).Single();
        var path = DatabasePath(_root.Path, user);
        _originalSalt = FileSalt(path);
        var journal = path + "-journal";
        var killed = await OperatorProcess.KillWhenAsync(
            OperatorProcess.Environment(_root.Path, S2, previous: S1), ["rekey-all"], _ => File.Exists(journal) && due(path));
        Assert.True(killed, "the rekey finished before the kill was due");
        Assert.True(File.Exists(journal), "no hot journal was left: the kill did not land mid-rekey");
        return (user, path);
    }

    private async Task RerunCompletesIt(string user, string path)
    {
        var rerun = await OperatorProcess.RunAsync(OperatorProcess.Environment(_root.Path, S2, previous: S1), "rekey-all");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        AssertWholeAtS2(user, path);
    }

    private static void AssertWholeAtS2(string user, string path)
    {
        Assert.Equal(Jobs, JobsWithStockSqlCipher(path, S2, user));
        Assert.Equal(new KeyRecord(ServerKeyRing.IdOf(S2)), KeyRecord.Read(path));
        using var stock = StoreFixtures.OpenWithStockSqlCipher4(path, HandKey(S2, user));
        Assert.Equal("ok", stock.ExecuteScalar<string>("PRAGMA quick_check;"));
    }

    private static string? FileSalt(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var file = File.OpenRead(path);
        var salt = new byte[16];
        return file.ReadAtLeast(salt, salt.Length, throwOnEndOfStream: false) == salt.Length ? Convert.ToHexString(salt) : null;
    }
}
