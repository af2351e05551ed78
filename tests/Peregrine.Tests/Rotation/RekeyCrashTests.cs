using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>A rekey killed (SIGKILL) while its transaction is open leaves a file that one of the two keys opens, intact, with a record naming it.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class RekeyCrashTests : IDisposable
{
    /// <summary>Enough pages that the rekey's transaction outlasts the moment between seeing its journal and the kill landing.</summary>
    private const int Jobs = 36_000;
    private readonly TestDirectory _root = new("peregrine-rekey-crash");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ARekeyKilledMidTransactionRollsBackToAKeyItsRecordNamesAndARerunCompletesIt()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: Jobs).Single();
        var path = DatabasePath(_root.Path, user);
        var journal = path + "-journal";
        var environment = OperatorProcess.Environment(_root.Path, S2, previous: S1);

        // Killed only once the rollback journal exists while the record says a rekey is under way, i.e. inside PRAGMA
        // rekey's write transaction. A journal alone is not enough: leaving WAL mode just before writes the header in a
        // short transaction of its own, and a kill that came just after it left no journal (seen in CI).
        var killed = await OperatorProcess.KillWhenAsync(
            environment, ["rekey-all"], _ => File.Exists(journal) && KeyRecord.Read(path)?.RekeyingTo is not null);
        Assert.True(killed, "the rekey finished before the journal was seen");
        Assert.True(File.Exists(journal), "no hot journal was left: the kill did not land mid-rekey");

        // The current key is tried first, as the service does: a hot journal must survive a wrong-key open.
        var record = KeyRecord.Read(path)!;
        var opensWith = new[] { S2, S1 }.Where(secret => JobsWithStockSqlCipher(path, secret, user) == Jobs).ToList();
        var secret = Assert.Single(opensWith);
        Assert.Contains(ServerKeyRing.IdOf(secret), record.Candidates);
        using (var stock = StoreFixtures.OpenWithStockSqlCipher4(path, HandKey(secret, user)))
        {
            Assert.Equal("ok", stock.ExecuteScalar<string>("PRAGMA quick_check;"));
        }

        var rerun = await OperatorProcess.RunAsync(environment, "rekey-all");
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Equal(Jobs, JobsWithStockSqlCipher(path, S2, user));
        Assert.Equal(new KeyRecord(ServerKeyRing.IdOf(S2)), KeyRecord.Read(path));
    }
}
