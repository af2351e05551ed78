using Dapper;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Api.Shards;
using Peregrine.Configuration;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Shards;
using Xunit.Abstractions;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary>
/// The instance snapshot of a sharded deployment, taken from the real three-shard cluster with real restic: every
/// shard's data root in one snapshot, each user exactly once and from their home; a move and a snapshot never overlap;
/// and <c>restore-all</c> on an empty host puts each user's tree on their shard's root, where it opens.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardedSnapshotTests(ShardCluster cluster, ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan VerbTimeout = TimeSpan.FromMinutes(3);
    private readonly TestDirectory _backup = new("peregrine-dr-shards");

    [Fact]
    public async Task EveryShardsUsersComeBackOnTheirOwnShardAndAUserMovedBetweenSnapshotsOnTheirNewHome()
    {
        var stayingOnA = await UserWithAJobAsync("a");
        var stayingOnB = await UserWithAJobAsync("b");
        var mover = await UserWithAJobAsync("a");

        var first = await RunAsync(SourceEnvironment(), "backup-all");
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = await ManifestOfLatestAsync();
        AssertEachUserOnceOnTheirHome(before, await cluster.HomesAsync());
        Assert.Equal("a", before.Users.Single(u => u.UserId == mover).Shard);

        Assert.Equal("moved", (await cluster.MoveAsync(mover, "b")).GetProperty("outcome").GetString());
        var second = await RunAsync(SourceEnvironment(), "backup-all");
        Assert.True(second.ExitCode == 0, second.ToString());
        var after = await ManifestOfLatestAsync();
        var homes = await cluster.HomesAsync();
        AssertEachUserOnceOnTheirHome(after, homes);
        Assert.Equal("b", after.Users.Single(u => u.UserId == mover).Shard);

        // A new host: empty data roots for every shard and an empty platform DB.
        var restoredRoots = cluster.Ids.ToDictionary(id => id, id => _backup.Combine("restored-" + id), StringComparer.Ordinal);
        foreach (var root in restoredRoots.Values)
        {
            Directory.CreateDirectory(root);
        }

        var emptyPlatform = await cluster.Postgres.CreateDatabaseAsync();
        var restore = await RunAsync(Environment(restoredRoots, emptyPlatform), "restore-all");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        output.WriteLine(restore.StandardOutput.Split('\n').Last(line => line.Length > 0));

        foreach (var tree in after.Users)
        {
            var holders = restoredRoots.Where(root => Directory.Exists(Path.Combine(root.Value, tree.UserId, tree.App))).Select(root => root.Key);
            Assert.Equal([homes[tree.UserId]], holders);
        }

        Assert.Equal(["Written on a"], Titles(restoredRoots["a"], stayingOnA));
        Assert.Equal(["Written on b"], Titles(restoredRoots["b"], stayingOnB));
        Assert.Equal(["Written on a"], Titles(restoredRoots["b"], mover));
        await using (var platform = new Npgsql.NpgsqlConnection(emptyPlatform))
        {
            Assert.Equal("b", await platform.ExecuteScalarAsync<string>("SELECT shard_id FROM user_shard WHERE user_id = @mover", new { mover }));
        }

        var verify = await RunAsync(SourceEnvironment(), "verify-backup", "--sample", "3");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        Assert.Contains("0 problem(s)", verify.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMoveAttemptedWhileASnapshotIsTakenIsRefusedAndSucceedsAfterIt()
    {
        var user = await UserWithAJobAsync("a");
        var trees = cluster.Ids.Sum(id => Directory.EnumerateDirectories(cluster[id].DataRoot.Path).Count(d => Guid.TryParse(Path.GetFileName(d), out _)));
        // Long enough that the snapshot is still copying trees when the move asks, whatever the other tests left.
        var pause = Math.Clamp(8_000 / Math.Max(trees, 1), 50, 2_000);
        var snapshot = RunAsync(SourceEnvironment(), "backup-all", "--concurrency", "1", "--pause-ms", pause.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Eventually.UntilAsync(SnapshotHoldsItsLockAsync, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(50));

        var refused = await cluster.RunOperatorAsync("b", "move-user", user, "--to", "b");
        Assert.False(snapshot.IsCompleted, "the snapshot ended before the move was attempted; the test proves nothing");
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("snapshot", refused.StandardOutput, StringComparison.Ordinal);
        Assert.Equal("a", (await cluster.HomesAsync())[user]);

        var taken = await snapshot.WaitAsync(VerbTimeout);
        Assert.True(taken.ExitCode == 0, taken.ToString());
        Assert.Equal("a", (await ManifestOfLatestAsync()).Users.Single(u => u.UserId == user).Shard);

        var moved = await cluster.RunOperatorAsync("b", "move-user", user, "--to", "b");
        Assert.True(moved.ExitCode == 0, moved.ToString());
        Assert.Equal(["b"], cluster.ShardsHoldingDatabaseOf(user));
    }

    public void Dispose() => _backup.Dispose();

    private async Task<string> UserWithAJobAsync(string home)
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, home, home);
        using var client = cluster.Client(home, user);
        await ShardClients.CreateJobAsync(client, "Written on " + home);
        return user;
    }

    private static void AssertEachUserOnceOnTheirHome(InstanceManifest manifest, Dictionary<string, string> homes)
    {
        Assert.Empty(manifest.Failed);
        Assert.Equal(manifest.Users.Count, manifest.Users.Select(u => (u.UserId, u.App)).Distinct().Count());
        Assert.All(manifest.Users, tree => Assert.Equal(homes[tree.UserId], tree.Shard));
    }

    /// <summary>The titles in a restored DB, opened with the user's own key as the service would.</summary>
    private static string[] Titles(string root, string user)
    {
        var keys = new PeregrineOptions { ServerSecret = CloudEnvironment.ServerSecret }.ServerKeys().For(user);
        var location = new DatabaseLocation(user, Path.Combine(root, user, ShardCluster.App, "staging.db"), keys.Current) { Keys = keys };
        using var inspected = DatabaseInspection.OpenReadOnly(location);
        return [.. inspected.Connection.Query<string>("SELECT title FROM jobs ORDER BY title")];
    }

    private async Task<bool> SnapshotHoldsItsLockAsync()
    {
        await using var connection = await cluster.Postgres.OpenAsync();
        const string held = """
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND mode = 'ExclusiveLock' AND granted AND objsubid = 1
            AND (classid::bigint << 32 | objid::bigint) = @Key AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """;
        return await connection.ExecuteScalarAsync<long>(held, new { SnapshotLock.Key }) == 1;
    }

    private Task<ApiProcess.Outcome> RunAsync(Dictionary<string, string?> environment, params string[] arguments) =>
        ApiProcess.RunAsync(environment, VerbTimeout, arguments);

    private Dictionary<string, string?> SourceEnvironment() =>
        Environment(cluster.Ids.ToDictionary(id => id, id => cluster[id].DataRoot.Path, StringComparer.Ordinal), cluster.Postgres.Url);

    /// <summary>What the backup service of a sharded deployment gets: every shard's root, the repository, a staging folder.</summary>
    private Dictionary<string, string?> Environment(Dictionary<string, string> roots, string platform)
    {
        var environment = CloudEnvironment.For(roots["a"], platform);
        foreach (var (id, root) in roots)
        {
            environment[$"Shards__DataRoots__{id}"] = root;
        }

        environment["RESTIC_REPOSITORY"] = _backup.Combine("repository");
        environment["RESTIC_PASSWORD"] = InstanceUnderTest.ResticPassword;
        environment["BACKUP_STAGING_DIR"] = _backup.Combine("staging");
        return environment;
    }

    private Task<InstanceManifest> ManifestOfLatestAsync() => RestoreDrillTests.ManifestOfLatestAsync(_backup.Combine("repository"));
}
