using Dapper;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Shards;

/// <summary>
/// Scaling out a host that already has users: their trees are on the first shard's disk and <c>user_shard</c> has no
/// row for them (a single host never writes one). Unless the shard that holds a tree claims it, the user's first request
/// through another shard places them there, with an empty DB, and their data seems gone.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardTreeClaimTests(ShardCluster cluster)
{
    [Fact]
    public async Task AShardClaimsTheTreesOnItsDiskAtStartSoTheirUsersAreServedFromThemThroughEveryShard()
    {
        // A user with data on shard b, and then no row: as a user of the host before shards were turned on.
        var user = await ShardClients.UserAtHomeAsync(cluster, home: "b", entry: "b");
        using (var client = cluster.Client("b", user))
        {
            await ShardClients.CreateJobAsync(client, "Saved before scaling out");
        }

        await using (var connection = await cluster.Postgres.OpenAsync())
        {
            await connection.ExecuteAsync("DELETE FROM user_shard WHERE user_id = @user", new { user });
        }

        await cluster.RestartAsync("b");

        Assert.Equal("b", (await cluster.HomesAsync()).GetValueOrDefault(user));
        foreach (var entry in cluster.Ids)
        {
            using var client = cluster.Client(entry, user);
            Assert.Equal(["Saved before scaling out"], await ShardClients.TitlesAsync(client));
        }

        Assert.Equal(["b"], cluster.ShardsHoldingDatabaseOf(user));
    }

    [Fact]
    public async Task ACopyThatSurvivedAnErasureOnAShardThatWasDownIsRemovedAtItsStartNotClaimed()
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, home: "c", entry: "c");
        using (var client = cluster.Client("c", user))
        {
            await ShardClients.CreateJobAsync(client, "Erased with the account");
        }

        // The files a move left on b, which was down while the user was erased: a copy as it was before the erasure.
        using var stray = new TestDirectory("stray-copy");
        CopyTree(cluster["c"].DataRoot.Combine(user), stray.Path);
        var erased = await cluster.RunOperatorAsync("a", "erase-user", user);
        Assert.True(erased.ExitCode == 0, $"erase-user: {erased.ExitCode} {erased.StandardOutput} {erased.StandardError}");
        CopyTree(stray.Path, cluster["b"].DataRoot.Combine(user));

        await cluster.RestartAsync("b");

        Assert.False((await cluster.HomesAsync()).ContainsKey(user), "the erased user was given a home again");
        Assert.False(cluster.HasTree("b", user), "the copy that survived the erasure is still on b");
    }

    /// <summary>Copies a tree keeping each file's last write time, as a copy made before the erasure has.</summary>
    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
            File.SetLastWriteTimeUtc(target, File.GetLastWriteTimeUtc(file));
        }
    }
}
