using System.Net;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Shards;

/// <summary>
/// Background tasks run on the owner shard only: a task queued through another shard is stored in the user's DB on
/// their home, and is run there; no other shard ever opens (or creates) that user's tree to run it.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardTaskTests(ShardCluster cluster)
{
    [Fact]
    public async Task ATaskQueuedThroughAnotherShardRunsOnTheOwnerAndNowhereElse()
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, "b", "a");
        using var client = cluster.Client("a", user);
        await ShardClients.CreateJobAsync(client, "A job to score");

        using var queued = await client.PostAsync("/peregrine/api/tasks/score", content: null);
        var body = await queued.Content.ReadAsStringAsync();
        Assert.True(queued.StatusCode == HttpStatusCode.Accepted, $"queue scoring through a: {(int)queued.StatusCode} {body}");
        var taskId = JsonDocument.Parse(body).RootElement.GetProperty("task_id").GetInt64();

        // Only the shard holding the user's DB can take the task off its queue; until then it stays listed as active.
        await Eventually.UntilAsync(async () =>
        {
            using var active = await client.GetAsync("/peregrine/api/tasks");
            var tasks = JsonDocument.Parse(await active.Content.ReadAsStringAsync()).RootElement;
            return active.IsSuccessStatusCode && !tasks.EnumerateArray().Any(task => task.GetProperty("id").GetInt64() == taskId);
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(250));

        Assert.Equal(["b"], cluster.ShardsHoldingDatabaseOf(user));
        Assert.False(cluster.HasTree("a", user), "the entry shard made a tree for a user who lives on b");
        Assert.False(cluster.HasTree("c", user), "a third shard made a tree for a user who lives on b");
    }
}
