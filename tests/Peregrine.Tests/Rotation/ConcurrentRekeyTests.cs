using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>
/// Two rekeyers of one file at once, as the service's first open and <c>rekey-all</c> can be: neither may conclude that
/// the file opens with none of its keys because the other one's rekey landed between its probes.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ConcurrentRekeyTests : IDisposable
{
    private readonly TestDirectory _root = new("peregrine-concurrent-rekey");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ARekeyThatCommitsWhileAnotherRekeyerProbesTheFileIsSeenAsCurrent()
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 2).Single();
        var path = DatabasePath(_root.Path, user);

        // The first rekeyer, by hand: out of WAL, its record written, and the file's write lock held before its rekey.
        using var first = StoreFixtures.OpenWithStockSqlCipher4(path, HandKey(S1, user));
        first.Execute("PRAGMA journal_mode = DELETE;");
        KeyRecord.Write(path, new KeyRecord(ServerKeyRing.IdOf(S1), RekeyingTo: ServerKeyRing.IdOf(S2)));
        first.Execute("BEGIN EXCLUSIVE;");

        // The second reads the file's header as it opens, then waits for the lock the first one holds ...
        var second = Task.Run(() => KeyRotation.EnsureCurrent(User(_root.Path, user, S2, S1).Database, TimeSpan.FromSeconds(10)));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(second.IsCompleted);

        // ... while the first one's rekey commits. Its final record is not written yet.
        first.Execute($"PRAGMA rekey = \"x'{HandKey(S2, user).ToHex()}'\";");
        first.Execute("COMMIT;");

        Assert.Equal(KeyState.Current, await second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(2, JobsWithStockSqlCipher(path, S2, user));
    }
}
