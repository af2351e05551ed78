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
}
