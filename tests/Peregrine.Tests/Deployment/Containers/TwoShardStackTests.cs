using System.Diagnostics;
using System.Net;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Shards;
using Xunit.Abstractions;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// Two shards as <c>./eng/publish.sh --shards 2</c> generates them, run with compose in a project of their own, reached
/// only through the bastion: users land on both shards, each is served wherever the bastion sends them, and a killed
/// shard's users get a 503 until its container is started again. Uses the image the deploy layer built.
/// </summary>
[Collection(DeployCollection.Name)]
[Trait(Category.Name, Category.Deploy)]
public sealed class TwoShardStackTests(DeployLayer layer, ITestOutputHelper output)
{
    private const int Users = 12;
    private const int ReadsPerUser = 6;
    private static readonly TimeSpan UnavailableWithin = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ServedAgainWithin = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task UsersSpreadOverBothShardsAreServedThroughTheBastionAndAKilledShardsUsersGet503UntilItIsStartedAgain()
    {
        // The deploy layer's set-up built the image this stack runs, and holds the engine meanwhile.
        Assert.NotNull(layer.Deployment);
        using var shards = await TwoShardDeployment.CreateAsync();
        var project = shards.Project;
        var clock = Stopwatch.StartNew();
        try
        {
            await project.TryRunAsync(DeployLayer.Command, "down", "-v");
            // The image is the one the deploy layer built for the runbook's stack: never built twice.
            await project.RunAsync(DeployLayer.Command, "--env-file", ".env", "up", "-d", "--no-build");
            await project.WaitUntilHealthyAsync(DeployLayer.Healthy);
            await WaitUntilBothSilosAreActiveAsync(project);
            var up = clock.Elapsed;

            var users = await FirstRequestsAsync(shards);
            var onA = users.Where(user => TwoShardDeployment.HasDatabase(shards.DataRootA, user)).ToArray();
            var onB = users.Where(user => TwoShardDeployment.HasDatabase(shards.DataRootB, user)).ToArray();
            Assert.Empty(onA.Intersect(onB));
            Assert.Equal(Users, onA.Length + onB.Length);
            Assert.NotEmpty(onA);
            Assert.NotEmpty(onB);

            var titles = await WriteAndReadBackAsync(shards, users);

            var killed = clock.Elapsed;
            var appB = (await project.ContainersAsync()).Single(container => container.Service == "app-b");
            await ComposeProject.Docker(TimeSpan.FromSeconds(30), "kill", appB.ContainerId);
            var unavailableAfter = await UntilAllAsync(shards, onB, HttpStatusCode.ServiceUnavailable, UnavailableWithin * 2, clock) - killed;
            foreach (var user in onA)
            {
                using var client = Bastion.SignedIn(shards.Deployment.Bastion, user);
                Assert.Contains(titles[user], await ShardClients.TitlesAsync(client));
            }

            var starting = clock.Elapsed;
            await project.RunAsync(DeployLayer.Command, "start", "app-b");
            var servedAgainAfter = await UntilAllAsync(shards, onB, HttpStatusCode.OK, ServedAgainWithin, clock) - starting;
            foreach (var user in onB)
            {
                using var client = Bastion.SignedIn(shards.Deployment.Bastion, user);
                Assert.Contains(titles[user], await ShardClients.TitlesAsync(client));
            }

            output.WriteLine($"two shards up and both silos active after {up.TotalSeconds:F0} s; users on a: {onA.Length}, on b: {onB.Length}; "
                + $"after docker kill app-b its users got 503 through the bastion after {unavailableAfter.TotalMilliseconds:F0} ms at worst; "
                + $"served again {servedAgainAfter.TotalSeconds:F1} s after `start app-b`; whole test {clock.Elapsed.TotalSeconds:F0} s");
            Assert.True(unavailableAfter < UnavailableWithin, $"the killed shard's users got their 503 only after {unavailableAfter}");
        }
        finally
        {
            await project.TryRunAsync(DeployLayer.Command, "down", "-v");
        }
    }

    /// <summary>Each new user's first request, through the bastion: it places the user and creates their DB.</summary>
    private static async Task<string[]> FirstRequestsAsync(TwoShardDeployment shards)
    {
        var users = Enumerable.Range(0, Users).Select(_ => Guid.NewGuid().ToString()).ToArray();
        foreach (var user in users)
        {
            using var client = Bastion.SignedIn(shards.Deployment.Bastion, user);
            using var response = await client.GetAsync("/peregrine/api/session");
            Assert.True(response.IsSuccessStatusCode, $"first request: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        return users;
    }

    /// <summary>A job per user, then read back several times: the bastion spreads requests by load, so they arrive at both shards.</summary>
    private static async Task<Dictionary<string, string>> WriteAndReadBackAsync(TwoShardDeployment shards, string[] users)
    {
        var titles = users.ToDictionary(user => user, user => $"Written through the bastion {user[..8]}");
        foreach (var user in users)
        {
            using var client = Bastion.SignedIn(shards.Deployment.Bastion, user);
            await ShardClients.CreateJobAsync(client, titles[user]);
        }

        for (var round = 0; round < ReadsPerUser; round++)
        {
            // Concurrent reads, so least_conn has more than one request in flight to balance.
            await Task.WhenAll(users.Select(async user =>
            {
                using var client = Bastion.SignedIn(shards.Deployment.Bastion, user);
                Assert.Contains(titles[user], await ShardClients.TitlesAsync(client));
            }));
        }

        return titles;
    }

    /// <summary>Polls every user until each has answered <paramref name="status"/>; returns <paramref name="test"/>'s time when the last one did.</summary>
    private static async Task<TimeSpan> UntilAllAsync(TwoShardDeployment shards, string[] users, HttpStatusCode status, TimeSpan timeout, Stopwatch test)
    {
        var clock = Stopwatch.StartNew();
        var pending = users.ToHashSet(StringComparer.Ordinal);
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        while (pending.Count > 0)
        {
            Assert.True(clock.Elapsed < timeout, $"not all users answered {(int)status} within {timeout}: {string.Join("; ", last.Values)}");
            // All at once: a request for a dead shard's user may wait out the forward's connect timeout.
            var answers = await Task.WhenAll(pending.Select(async user => (User: user, Answer: await StatusAsync(shards, user))));
            foreach (var (user, answer) in answers)
            {
                last[user] = $"{user[..8]}: {answer}";
                if (answer == ((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture))
                {
                    pending.Remove(user);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        return test.Elapsed;
    }

    private static async Task<string> StatusAsync(TwoShardDeployment shards, string user)
    {
        using var client = Bastion.SignedIn(shards.Deployment.Bastion, user);
        client.Timeout = TimeSpan.FromSeconds(10);
        try
        {
            using var response = await client.GetAsync("/peregrine/api/jobs/counts");
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return e.GetType().Name;
        }
    }

    /// <summary>Both silos joined the cluster (Active in Orleans' membership), so a new user can be placed on either.</summary>
    private static async Task WaitUntilBothSilosAreActiveAsync(ComposeProject project)
    {
        const string activeSilos = "SELECT count(DISTINCT siloname) FROM orleansmembershiptable WHERE status = 3";
        await Eventually.UntilAsync(
            async () =>
            {
                var result = await project.TryRunAsync(TimeSpan.FromSeconds(30), "exec", "-T", "cf-platform-db",
                    "psql", "-U", "cf_platform", "-d", "circuitforge_platform", "-tAc", activeSilos);
                return result.Output.Trim() == "2";
            },
            TimeSpan.FromMinutes(1),
            TimeSpan.FromSeconds(1));
    }
}
