using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>
/// A key probe while another process's rekey commits, as the service's first open, <c>rekey-all</c> and the operator's
/// inspections can meet: the engine reads the file's salt before it waits for the lock, so a probe that waited checks
/// the new pages against the old salt. Neither may conclude that the file opens with none of its keys.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ConcurrentRekeyTests : IDisposable
{
    private readonly TestDirectory _root = new("peregrine-concurrent-rekey");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task ASecondRekeyerWhoseProbeWaitedOnTheFirstsCommitFindsTheFileCurrent()
    {
        var (user, state) = await ProbeWhileARekeyCommits(location => KeyRotation.EnsureCurrent(location, TimeSpan.Zero));

        Assert.Equal(KeyState.Current, state);
        Assert.Equal(2, JobsWithStockSqlCipher(DatabasePath(_root.Path, user), S2, user));
    }

    [Fact]
    public async Task AnInspectionWhoseProbeWaitedOnARekeyCommitOpensTheFileAtTheNewKey()
    {
        var (_, keyId) = await ProbeWhileARekeyCommits(location =>
        {
            using var inspected = DatabaseInspection.OpenReadOnly(location);
            return inspected.KeyId;
        });

        Assert.Equal(ServerKeyRing.IdOf(S2), keyId);
    }

    /// <summary>
    /// Runs <paramref name="probe"/> (current S2, previous S1) against a file at S1 while a first rekeyer, played here by
    /// hand, holds the file's write lock with its record saying S1 → S2, then commits its rekey before its final record.
    /// </summary>
    private async Task<(string User, T Result)> ProbeWhileARekeyCommits<T>(Func<DatabaseLocation, T> probe)
    {
        var user = CreateUsers(_root.Path, S1, count: 1, jobs: 2).Single();
        var path = DatabasePath(_root.Path, user);
        using var first = StoreFixtures.OpenWithStockSqlCipher4(path, HandKey(S1, user));
        first.Execute("PRAGMA journal_mode = DELETE;");
        KeyRecord.Write(path, new KeyRecord(ServerKeyRing.IdOf(S1), RekeyingTo: ServerKeyRing.IdOf(S2)));
        first.Execute("BEGIN EXCLUSIVE;");

        // The probe reads the header as it sets its key, then waits for the lock ...
        var probing = Task.Run(() => probe(User(_root.Path, user, S2, S1).Database));
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        Assert.False(probing.IsCompleted);

        // ... while the rekey commits.
        first.Execute($"PRAGMA rekey = \"x'{HandKey(S2, user).ToHex()}'\";");
        first.Execute("COMMIT;");
        return (user, await probing.WaitAsync(TimeSpan.FromSeconds(30)));
    }
}
