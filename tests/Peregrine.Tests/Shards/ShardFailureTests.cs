using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// A shard killed with SIGKILL under load: its users get a clear 503 from the other entry points within seconds, every
/// other user goes on being served, the restarted shard (same data root) serves its users again with no operator step,
/// and no write that was acknowledged is missing afterwards.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardFailureTests(ShardCluster cluster, ITestOutputHelper output)
{
    private const string Victim = "c";
    private static readonly string[] Entries = ["a", "b"];
    private static readonly TimeSpan UnavailableWithin = TimeSpan.FromSeconds(5);

    /// <summary>The issue's load: 60 s in all, the kill, the restart and the recovery inside it, then writes after them.</summary>
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NewUsersArrivingTheMomentAKilledShardIsBackArePlacedThroughEveryShard()
    {
        await cluster.KillAsync(Victim);
        await cluster.RestartAsync(Victim);

        // At once, while the other silos may still be forgetting the killed one's old silo.
        var placed = await ShardClients.NewUsersThroughEveryShardAsync(cluster, 90, "First job after the restart");

        var homes = await cluster.HomesAsync();
        output.WriteLine($"placed right after the restart: {string.Join(", ", cluster.Ids.Select(id => $"{id}={placed.Count(u => homes[u] == id)}"))}");
        Assert.All(cluster.Ids, id => Assert.Contains(placed, user => homes[user] == id));
    }

    [Fact]
    public async Task AKilledShardsUsersGet503WithinSecondsOthersAreServedAndNoAcknowledgedWriteIsLost()
    {
        var users = new List<(string User, string Home)>();
        foreach (var home in cluster.Ids)
        {
            for (var i = 0; i < 4; i++)
            {
                users.Add((await ShardClients.UserAtHomeAsync(cluster, home, Entries[i % 2]), home));
            }
        }

        var load = new Load(cluster, users);
        var writers = users.Select(u => load.WriteUntilStoppedAsync(u.User, u.Home == Victim)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(2));

        load.KilledAt = load.Clock.Elapsed;
        await cluster.KillAsync(Victim);
        var victims = users.Where(u => u.Home == Victim).Select(u => u.User).ToArray();
        await Eventually.UntilAsync(() => victims.All(load.FirstUnavailable.ContainsKey), UnavailableWithin * 2);
        await AssertFriendlyPageAsync(victims[0]);
        // The refused connections answered so far; once Orleans' failure detector has voted the silo dead, the
        // membership alone decides, and nothing is even tried.
        await cluster.WaitUntilNotActiveAsync(Victim);
        var declaredDeadAfter = load.Clock.Elapsed - load.KilledAt.Value;
        var unavailableBefore = load.Unavailable;
        await Eventually.UntilAsync(() => load.Unavailable > unavailableBefore + victims.Length, TimeSpan.FromSeconds(5));

        var restarting = load.Clock.Elapsed;
        await cluster.RestartAsync(Victim);
        var restarted = load.Clock.Elapsed;
        await Eventually.UntilAsync(() => victims.All(load.ServedAgain.ContainsKey), TimeSpan.FromSeconds(30));
        var servedAgainAfter = victims.Max(v => load.ServedAgain[v]) - restarting;
        await Task.Delay(TimeSpan.FromSeconds(1) + (LoadDuration > load.Clock.Elapsed ? LoadDuration - load.Clock.Elapsed : TimeSpan.Zero));
        var loadRan = load.Clock.Elapsed;
        await load.StopAsync(writers);

        var lost = 0;
        foreach (var (user, _) in users)
        {
            using var client = cluster.Client(Entries[0], user);
            var stored = (await ShardClients.TitlesAsync(client)).ToHashSet(StringComparer.Ordinal);
            lost += load.Acknowledged[user].Count(title => !stored.Contains(title));
        }

        var worst = victims.Max(v => load.FirstUnavailable[v]);
        output.WriteLine($"load for {loadRan.TotalSeconds:F0} s: acknowledged writes {load.Acknowledged.Values.Sum(a => a.Count)}, lost: {lost}; 503 for the killed shard's users after {worst.TotalMilliseconds:F0} ms at worst; "
            + $"503s answered: {load.Unavailable}; Orleans declared the silo dead after {declaredDeadAfter.TotalMilliseconds:F0} ms; served again {servedAgainAfter.TotalMilliseconds:F0} ms after the restart began "
            + $"(the process took {(restarted - restarting).TotalMilliseconds:F0} ms to join and publish its address)");
        Assert.Empty(load.Failures);
        Assert.True(worst < UnavailableWithin, $"the killed shard's users got their 503 only after {worst}");
        Assert.Equal(0, lost);
    }

    private async Task AssertFriendlyPageAsync(string user)
    {
        using var client = cluster.Client(Entries[0], user);
        using var request = new HttpRequestMessage(HttpMethod.Get, "/peregrine/");
        request.Headers.Accept.ParseAdd("text/html");
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var page = await response.Content.ReadAsStringAsync();
        Assert.Contains("<h1>Temporarily unavailable</h1>", page, StringComparison.Ordinal);
        Assert.Contains("The server that keeps your data cannot be reached right now.", page, StringComparison.Ordinal);
    }

    /// <summary>One writer per user, alternating between the entry shards that stay up, recording what was acknowledged.</summary>
    private sealed class Load(ShardCluster cluster, List<(string User, string Home)> users)
    {
        private readonly CancellationTokenSource _stop = new();

        public Stopwatch Clock { get; } = Stopwatch.StartNew();

        public TimeSpan? KilledAt { get; set; }

        public ConcurrentDictionary<string, ConcurrentBag<string>> Acknowledged { get; } = new(users.ToDictionary(u => u.User, _ => new ConcurrentBag<string>()));

        public ConcurrentDictionary<string, TimeSpan> FirstUnavailable { get; } = new();

        /// <summary>When each of the killed shard's users had a write acknowledged again after their first 503.</summary>
        public ConcurrentDictionary<string, TimeSpan> ServedAgain { get; } = new();

        public ConcurrentQueue<string> Failures { get; } = new();

        public int Unavailable => _unavailable;

        private int _unavailable;

        public async Task WriteUntilStoppedAsync(string user, bool isVictim)
        {
            var clients = Entries.Select(entry => cluster.Client(entry, user)).ToArray();
            for (var n = 0; !_stop.IsCancellationRequested; n++)
            {
                var title = $"{user[..8]}-{n}";
                try
                {
                    using var response = await ShardClients.TryCreateJobAsync(clients[n % 2], title, _stop.Token);
                    Record(user, isVictim, title, response.StatusCode, response.StatusCode == HttpStatusCode.ServiceUnavailable ? await DescribeAsync(response) : null);
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    break;
                }
                catch (HttpRequestException e)
                {
                    Failures.Enqueue($"{user} ({(isVictim ? "killed shard" : "other shard")}): {e.Message}");
                }

                // Ten writes a second per user: 12 users carry a steady load, and 60 s of one user's writes stay
                // under the job list's limit of 1,000, so every acknowledged one can be looked for.
                await Task.Delay(100);
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

        private void Record(string user, bool isVictim, string title, HttpStatusCode status, string? unavailable)
        {
            var now = Clock.Elapsed;
            if (status == HttpStatusCode.Created)
            {
                Acknowledged[user].Add(title);
                if (FirstUnavailable.ContainsKey(user))
                {
                    ServedAgain.TryAdd(user, now);
                }
            }
            else if (isVictim && KilledAt is { } killed && status == HttpStatusCode.ServiceUnavailable && unavailable is null)
            {
                Interlocked.Increment(ref _unavailable);
                FirstUnavailable.TryAdd(user, now - killed);
            }
            else
            {
                Failures.Enqueue($"{user} ({(isVictim ? "killed shard" : "other shard")}) at {now}: {(int)status} {unavailable}");
            }
        }

        /// <summary>Null when the 503 is the promised one (problem+json with its title, and Retry-After); else what was wrong.</summary>
        private static async Task<string?> DescribeAsync(HttpResponseMessage response)
        {
            var body = await response.Content.ReadAsStringAsync();
            var ok = response.Headers.RetryAfter is not null
                && response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                && JsonDocument.Parse(body).RootElement.GetProperty("title").GetString() == "Your data is temporarily unavailable";
            return ok ? null : body;
        }
    }
}
