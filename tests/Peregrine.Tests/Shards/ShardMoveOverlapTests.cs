using System.Net;
using Peregrine.Api.Shards.Moves;
using Peregrine.Tests.Backup;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// What the user asks for while their data is being moved: it waits for the move and is then served by the new home,
/// never by the old copy, so nothing it changes is lost with the source and nothing is changed under the copy.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardMoveOverlapTests(ShardCluster cluster, ITestOutputHelper output)
{
    private const string From = "a";
    private const string To = "c";
    private const string Entry = "b";

    [Fact]
    public async Task ARestoreUploadedWhileAMoveCopiesIsHeldAndAppliedAtTheNewHome()
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, From, Entry);
        using var client = cluster.Client(Entry, user);
        await ShardClients.CreateJobAsync(client, "In the backup");
        var backup = await client.GetByteArrayAsync(BackupTestSupport.BackupPath);
        await ShardClients.CreateJobAsync(client, "Written after the backup");
        await cluster.AddBallastAsync(From, user, 160);

        var move = cluster.ExplainingFailuresAsync(() => cluster.MoveAsync(user, To));
        Assert.Equal(MoveJournal.Copying, await cluster.WaitForMoveToBeginAsync(user, move));
        // Through a shard that is neither home, as a bastion may send it: it is held on the old home, then sent on.
        var restore = BackupTestSupport.UploadAsync(client, BackupTestSupport.RestorePath, backup);
        var report = await move;
        using var restored = await restore;
        var body = await restored.Content.ReadAsStringAsync();
        output.WriteLine($"move: {report}; restore: {(int)restored.StatusCode} {body}");

        Assert.Equal("moved", report.GetProperty("outcome").GetString());
        Assert.True(restored.StatusCode == HttpStatusCode.OK, $"restore during the move: {(int)restored.StatusCode} {body}");
        Assert.Equal(To, (await cluster.HomesAsync())[user]);
        Assert.Equal([To], cluster.ShardsHoldingDatabaseOf(user));
        Assert.False(cluster.HasTree(From, user), "the old home still has the user's tree");
        foreach (var entry in cluster.Ids)
        {
            using var reader = cluster.Client(entry, user);
            Assert.Equal(["In the backup"], await ShardClients.TitlesAsync(reader));
        }
    }
}
