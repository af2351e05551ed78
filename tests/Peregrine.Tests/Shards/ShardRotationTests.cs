using Dapper;
using Peregrine.Api.Shards.Moves;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Rotation;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// Rotating <c>CF_SERVER_SECRET</c> with shards: each shard's <c>rekey-all</c> rekeys its own data root, and a DB still at
/// the previous secret that moves to another shard meanwhile is opened there (its key record travels with it) and
/// rekeyed by that shard's <c>rekey-all</c>.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class ShardRotationTests(ShardRotationTests.RotatingCluster cluster, ITestOutputHelper output) : IClassFixture<ShardRotationTests.RotatingCluster>
{
    private const string Old = RotationData.S1;
    private const string New = RotationData.S2;
    private const int Jobs = 3;

    [Fact]
    public async Task ADatabaseAtThePreviousSecretMovedMidRotationIsRekeyedByItsNewShardsRekeyAll()
    {
        var (moving, staying) = await UsersOfShardAAtOldKeyAsync();

        var moved = await cluster.RunOperatorAsync("a", "move-user", moving, "--to", "b");
        Assert.True(moved.ExitCode == 0, $"move-user: {moved.StandardOutput} {moved.StandardError}");
        // Moved as it was: still at the previous secret, and served from its new shard.
        Assert.Equal(Jobs, RotationData.JobsWithStockSqlCipher(DatabaseOn("b", moving), Old, moving));

        foreach (var shard in cluster.Ids)
        {
            var rekeyed = await cluster.RunOperatorAsync(shard, "rekey-all");
            output.WriteLine($"rekey-all on {shard}: {rekeyed.StandardOutput.Trim().Split('\n')[^1]}");
            Assert.True(rekeyed.ExitCode == 0, $"rekey-all on {shard}: {rekeyed.StandardOutput} {rekeyed.StandardError}");
        }

        foreach (var (user, shard) in new[] { (moving, "b"), (staying, "a") })
        {
            Assert.Null(RotationData.JobsWithStockSqlCipher(DatabaseOn(shard, user), Old, user));
            Assert.Equal(Jobs, RotationData.JobsWithStockSqlCipher(DatabaseOn(shard, user), New, user));
            using var client = cluster.Client("a", user);
            Assert.Equal(Jobs, (await ShardClients.TitlesAsync(client)).Length);
        }
    }

    [Fact]
    public async Task ARekeyFromAnotherProcessWhileAMoveCopiesTheDatabaseIsRefusedAsInUseAndTheCopyIsWhole()
    {
        var (moving, _) = await UsersOfShardAAtOldKeyAsync();
        // Enough bytes that the copy outlasts the second a rekey waits for a file in use.
        await cluster.AddBallastAsync("a", moving, 160);

        var move = cluster.ExplainingFailuresAsync(() => cluster.MoveAsync(moving, "b"));
        Assert.Equal(MoveJournal.Copying, await cluster.WaitForMoveToBeginAsync(moving, move));
        // What rekey-all does to each DB, from this process (another one than the shard's), while the bytes are copied.
        var rekey = Record.Exception(() => KeyRotation.EnsureCurrent(RotationData.User(cluster["a"].DataRoot.Path, moving, New, Old).Database, TimeSpan.Zero));
        var stateAfter = await cluster.MoveStateAsync(moving);
        var report = await move;
        output.WriteLine($"rekey during the copy: {rekey?.GetType().Name ?? "rekeyed"}; the move: {report}");

        Assert.True(stateAfter == MoveJournal.Copying, $"the move left the copy ({stateAfter}) before the rekey was tried: a slower copy is needed");
        Assert.IsType<DatabaseInUseException>(rekey);
        Assert.Equal("moved", report.GetProperty("outcome").GetString());
        // Moved as it was before the rekey was tried: at the previous secret, with its record, whole.
        Assert.Equal(Jobs, RotationData.JobsWithStockSqlCipher(DatabaseOn("b", moving), Old, moving));
        using var client = cluster.Client("a", moving);
        Assert.Equal(Jobs, (await ShardClients.TitlesAsync(client)).Length);
    }

    /// <summary>
    /// Two users whose DBs shard a holds at the previous secret, never opened by the service since (which would rekey
    /// them): written beside the running shard and placed on it, as a shard claims the trees on its disk.
    /// </summary>
    private async Task<(string Moving, string Staying)> UsersOfShardAAtOldKeyAsync()
    {
        var users = RotationData.CreateUsers(cluster["a"].DataRoot.Path, Old, count: 2, jobs: Jobs);
        await using var connection = await cluster.Postgres.OpenAsync();
        foreach (var user in users)
        {
            await connection.ExecuteAsync("INSERT INTO user_shard (user_id, shard_id) VALUES (@user, 'a')", new { user });
            Assert.Equal(Jobs, RotationData.JobsWithStockSqlCipher(DatabaseOn("a", user), Old, user));
        }

        return (users[0], users[1]);
    }

    private string DatabaseOn(string shard, string user) => RotationData.DatabasePath(cluster[shard].DataRoot.Path, user);

    /// <summary>Two shards restarted for a rotation: the new secret current, the old one previous.</summary>
    public sealed class RotatingCluster() : ShardCluster(["a", "b"], New, Old);
}
