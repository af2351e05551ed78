using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Api.Shards.Moves;
using Peregrine.Configuration;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// Moving users between shard processes while they are being written to: nothing acknowledged is lost, each user's
/// data ends on exactly the target, a move interrupted after any step is finished (or redone) by running it again, and
/// <c>rebalance</c> evens out the shards.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardMoveTests(ShardCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task FiftyUsersMovedWhileAClientKeepsWritingToThemThroughEveryShardLoseNoAcknowledgedWrite()
    {
        var users = new string[50];
        for (var i = 0; i < users.Length; i++)
        {
            users[i] = Guid.NewGuid().ToString();
            using var client = cluster.Client(cluster.Ids[i % 3], users[i]);
            await ShardClients.CreateJobAsync(client, $"{users[i][..8]}-first");
        }

        var homes = await cluster.HomesAsync();
        var targets = users.ToDictionary(u => u, u => cluster.Ids[(cluster.Ids.ToList().IndexOf(homes[u]) + 1) % 3]);
        var load = new WriteLoad(cluster, users);
        var writers = users.Select(load.WriteUntilStoppedAsync).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(1));

        var reports = new ConcurrentDictionary<string, JsonElement>();
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (user, _) =>
            reports[user] = await cluster.MoveAsync(user, targets[user]));
        await Task.Delay(TimeSpan.FromSeconds(1));
        await load.StopAsync(writers);

        var lost = 0;
        foreach (var user in users)
        {
            using var client = cluster.Client("a", user);
            var stored = (await ShardClients.TitlesAsync(client)).ToHashSet(StringComparer.Ordinal);
            lost += load.Acknowledged[user].Count(title => !stored.Contains(title));
        }

        var pauses = users.Select(u => reports[u].GetProperty("pause_ms").GetInt64()).Order().ToArray();
        output.WriteLine($"50 moves under load: acknowledged writes {load.Acknowledged.Values.Sum(a => a.Count)}, lost {lost}; "
            + $"requests held per user: median {pauses[pauses.Length / 2]} ms, max {pauses[^1]} ms; refused while moving: {string.Join(", ", load.Refused.GroupBy(s => s).Select(g => $"{g.Key}×{g.Count()}"))}");
        Assert.True(load.Failures.IsEmpty, string.Join("\n", load.Failures.Take(10)));
        // A write that reached a former home is resent to the new one, chunked body included, never answered 421.
        Assert.DoesNotContain((int)HttpStatusCode.MisdirectedRequest, load.Refused);
        Assert.Equal(0, lost);
        Assert.All(users, user => Assert.Equal("moved", reports[user].GetProperty("outcome").GetString()));
        Assert.All(users, user => Assert.True(reports[user].TryGetProperty("pause_ms", out _)));
        var homesAfter = await cluster.HomesAsync();
        foreach (var user in users)
        {
            Assert.Equal(targets[user], homesAfter[user]);
            Assert.Equal([targets[user]], cluster.ShardsHoldingDatabaseOf(user));
            Assert.False(cluster.HasTree(homes[user], user), $"the source {homes[user]} still has the tree of {user}");
        }
    }

    [Theory]
    [InlineData("paused")]
    [InlineData("copied")]
    [InlineData("flipped")]
    public async Task AMoveInterruptedAfterAStepIsCompletedByRunningMoveUserAgain(string step)
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, "a", "b");
        using var client = cluster.Client("c", user);
        await ShardClients.CreateJobAsync(client, "Before the move");

        var interrupted = await cluster.RunOperatorAsync("a", "move-user", user, "--to", "b", "--interrupt-after", step);
        Assert.True(interrupted.ExitCode == 1, $"interrupted move: {interrupted.ExitCode} {interrupted.StandardOutput} {interrupted.StandardError}");
        Assert.Contains("\"interrupted\"", interrupted.StandardOutput, StringComparison.Ordinal);
        // Whatever state it was left in, the user is served by exactly one shard, and writes are acknowledged.
        await ShardClients.CreateJobAsync(client, "Between the attempts");
        Assert.Equal(step == "flipped" ? "b" : "a", (await cluster.HomesAsync())[user]);

        var resumed = await cluster.RunOperatorAsync("c", "move-user", user, "--to", "b");
        Assert.True(resumed.ExitCode == 0, $"resumed move: {resumed.ExitCode} {resumed.StandardOutput} {resumed.StandardError}");
        output.WriteLine($"after {step}: {resumed.StandardOutput}");

        Assert.Equal("b", (await cluster.HomesAsync())[user]);
        Assert.Equal(["b"], cluster.ShardsHoldingDatabaseOf(user));
        Assert.False(cluster.HasTree("a", user), "the source still has the user's tree");
        Assert.Equal(["Before the move", "Between the attempts"], (await ShardClients.TitlesAsync(client)).Order(StringComparer.Ordinal));
        Assert.Equal("done", await cluster.MoveStateAsync(user));
    }

    [Fact]
    public async Task RebalanceEvensOutAnUnevenPlacement()
    {
        // Uneven on purpose: twelve users of b and c moved onto a.
        var homes = await cluster.HomesAsync();
        foreach (var user in homes.Where(h => h.Value != "a").Select(h => h.Key).Order(StringComparer.Ordinal).Take(12))
        {
            Assert.Equal("moved", (await cluster.MoveAsync(user, "a")).GetProperty("outcome").GetString());
        }

        var plan = await cluster.RunOperatorAsync("b", "rebalance", "--dry-run");
        Assert.True(plan.ExitCode == 0, $"dry run: {plan.StandardOutput} {plan.StandardError}");
        Assert.NotEmpty(JsonDocument.Parse(plan.StandardOutput).RootElement.GetProperty("plan").GetProperty("moves").EnumerateArray());
        Assert.Equal(homes.Count, (await cluster.HomesAsync()).Count);

        var run = await cluster.RunOperatorAsync("b", "rebalance");
        Assert.True(run.ExitCode == 0, $"rebalance: {run.StandardOutput} {run.StandardError}");
        var result = JsonDocument.Parse(run.StandardOutput).RootElement;
        output.WriteLine($"rebalance: {result.GetProperty("plan").GetProperty("before")} -> {result.GetProperty("plan").GetProperty("after")}; "
            + $"{result.GetProperty("reports").GetArrayLength()} moves, pause median {result.GetProperty("pause_ms_median")} ms, max {result.GetProperty("pause_ms_max")} ms");

        var counts = (await cluster.HomesAsync()).GroupBy(h => h.Value).Select(g => g.Count()).ToArray();
        Assert.Equal(3, counts.Length);
        Assert.True(counts.Max() - counts.Min() <= 1, $"counts after rebalance: {string.Join(", ", counts)}");
        foreach (var report in result.GetProperty("reports").EnumerateArray())
        {
            var user = report.GetProperty("user_id").GetString()!;
            Assert.False(cluster.HasTree(report.GetProperty("from").GetString()!, user), $"{user} left a tree on its old shard");
        }
    }

    [Fact]
    public async Task InspectUserAndStatsSayWhereAUserLives()
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, "c", "a");

        var inspected = await cluster.RunOperatorAsync("a", "inspect-user", user);
        var stats = await cluster.RunOperatorAsync("b", "stats");

        Assert.True(inspected.ExitCode == 0, inspected.StandardError);
        Assert.Equal("c", JsonDocument.Parse(inspected.StandardOutput).RootElement.GetProperty("shard").GetString());
        Assert.True(stats.ExitCode == 0, stats.StandardError);
        var perShard = JsonDocument.Parse(stats.StandardOutput).RootElement;
        Assert.Equal("b", perShard.GetProperty("shard").GetString());
        var homes = await cluster.HomesAsync();
        foreach (var id in cluster.Ids)
        {
            Assert.Equal(homes.Count(h => h.Value == id), perShard.GetProperty("users_per_shard").GetProperty(id).GetInt32());
        }
    }

    /// <summary>One writer per user, cycling through every shard as its entry point, recording what was acknowledged.</summary>
    private sealed class WriteLoad(ShardCluster cluster, string[] users)
    {
        private readonly CancellationTokenSource _stop = new();

        public ConcurrentDictionary<string, ConcurrentBag<string>> Acknowledged { get; } = new(users.ToDictionary(u => u, _ => new ConcurrentBag<string>()));

        /// <summary>Writes answered "try again" (503 after waiting for a move, 421 from a former home): not acknowledged, not lost.</summary>
        public ConcurrentQueue<int> Refused { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public async Task WriteUntilStoppedAsync(string user)
        {
            var clients = cluster.Ids.Select(entry => cluster.Client(entry, user)).ToArray();
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var title = $"{user[..8]}-{n}";
                try
                {
                    using var response = await ShardClients.TryCreateJobAsync(clients[n % 3], title, _stop.Token);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        Acknowledged[user].Add(title);
                    }
                    else if (response.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.MisdirectedRequest)
                    {
                        Refused.Enqueue((int)response.StatusCode);
                    }
                    else
                    {
                        Failures.Enqueue($"{user} via {cluster.Ids[n % 3]}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    Failures.Enqueue($"{user} via {cluster.Ids[n % 3]}: {e.Message}");
                }

                // Fifty writers at four writes a second each: a steady load that two cores can carry beside the moves.
                await Task.Delay(250);
            }

            foreach (var client in clients)
            {
                client.Dispose();
            }
        }

        public async Task StopAsync(Task[] writers)
        {
            await _stop.CancelAsync();
            await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
