using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Jobs;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Shards;

/// <summary>
/// Placement and routing across three shard processes: users spread over the shards, each user's data on exactly one,
/// and any shard taking any request (JSON, a page and its form post, an upload, a streamed download) for the user's home shard.
/// </summary>
[Collection(ShardCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ShardRoutingTests(ShardCluster cluster, ITestOutputHelper output)
{
    [Fact]
    public async Task ThreeHundredNewUsersAreSpreadOverTheShardsWithEachDatabaseOnExactlyOne()
    {
        var users = await ShardClients.NewUsersThroughEveryShardAsync(cluster, 300, "First job");

        var homes = await cluster.HomesAsync();
        var split = cluster.Ids.ToDictionary(id => id, id => users.Count(u => homes[u] == id));
        output.WriteLine($"split of 300 new users: {string.Join(", ", split.Select(s => $"{s.Key}={s.Value}"))}");
        Assert.All(split.Values, count => Assert.InRange(count, 80, 120));
        foreach (var user in users)
        {
            Assert.Equal([homes[user]], cluster.ShardsHoldingDatabaseOf(user));
        }
    }

    [Fact]
    public async Task ANewUsersFirstRequestsThroughEveryShardAtOnceGiveOneHome()
    {
        var users = Enumerable.Range(0, 20).Select(_ => Guid.NewGuid().ToString()).ToArray();

        // Each user's first three requests race through the three shards: each shard places the user at once.
        await Task.WhenAll(users.SelectMany(user => cluster.Ids.Select(async entry =>
        {
            using var client = cluster.Client(entry, user);
            await ShardClients.CreateJobAsync(client, $"Raced through {entry}");
        })));

        var homes = await cluster.HomesAsync();
        foreach (var user in users)
        {
            Assert.Equal([homes[user]], cluster.ShardsHoldingDatabaseOf(user));
            Assert.Equal(3, await ShardClients.CountAllAsync(cluster.Client("a", user)));
        }
    }

    [Fact]
    public async Task ManyMoreRequestsCrossingBetweenShardsThanEachAdmitsAreAllServed()
    {
        var users = new List<(string User, string Home)>();
        foreach (var home in cluster.Ids)
        {
            users.Add((await ShardClients.UserAtHomeAsync(cluster, home, home), home));
        }

        // Every request enters at a shard that is not its user's home, far more at once than a shard admits.
        var requests = Enumerable.Range(0, 30).SelectMany(_ => users.SelectMany(u => cluster.Ids.Where(id => id != u.Home).Select(entry => (u.User, entry))));
        await Task.WhenAll(requests.Select(async r =>
        {
            using var client = cluster.Client(r.entry, r.User);
            client.Timeout = TimeSpan.FromSeconds(30);
            using var response = await client.GetAsync("/peregrine/api/jobs/counts");
            Assert.True(response.IsSuccessStatusCode, $"through {r.entry}: {(int)response.StatusCode}");
        }));
    }

    [Fact]
    public async Task AWriteThroughOneShardIsReadThroughEveryOther()
    {
        foreach (var (writer, user) in cluster.Ids.Select(id => (id, Guid.NewGuid().ToString())))
        {
            using (var client = cluster.Client(writer, user))
            {
                await ShardClients.CreateJobAsync(client, $"Written through {writer}");
            }

            foreach (var reader in cluster.Ids)
            {
                using var client = cluster.Client(reader, user);
                Assert.Equal([$"Written through {writer}"], await ShardClients.TitlesAsync(client));
            }

            var homes = await cluster.HomesAsync();
            Assert.Equal([homes[user]], cluster.ShardsHoldingDatabaseOf(user));
        }
    }

    [Fact]
    public async Task APageItsFormPostAnUploadAndAStreamedDownloadThroughNonOwnersAllReachTheOwner()
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, "c", cluster.Ids[0]);
        using var viaA = cluster.Client("a", user);
        using var viaB = cluster.Client("b", user);

        var form = await PageForm.RenderAsync(viaA, "/peregrine/");
        using var posted = await form.PostAsync(new HttpClient { BaseAddress = viaB.BaseAddress }, $"cf_session={TestTokens.Session(user)}",
            ("_handler", "add-urls"), ("Urls", "https://jobs.invalid/through-b"));
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        Assert.Contains("1 new job(s) added", await posted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        using var csv = new MultipartFormDataContent
        {
            { new ByteArrayContent("url,title,company\nhttps://jobs.invalid/csv-1,Uploaded through a,Acme\n"u8.ToArray()) { Headers = { ContentType = new MediaTypeHeaderValue("text/csv") } }, "file", "jobs.csv" },
        };
        using var uploaded = await viaA.PostAsync("/peregrine/api/jobs/upload-csv", csv);
        Assert.True(uploaded.IsSuccessStatusCode, $"upload through a: {(int)uploaded.StatusCode} {await uploaded.Content.ReadAsStringAsync()}");

        Assert.Equal(2, await ShardClients.CountAllAsync(cluster.Client("b", user)));

        // The backup is streamed (chunked, no length known up front) by the owner and relayed as it comes.
        using var download = await viaB.GetAsync("/peregrine/api/settings/data/backup", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        using var zip = new ZipArchive(new MemoryStream(await download.Content.ReadAsByteArrayAsync()));
        Assert.Contains(zip.Entries, entry => entry.FullName.EndsWith("staging.db", StringComparison.Ordinal));
        Assert.Equal(["c"], cluster.ShardsHoldingDatabaseOf(user));
    }

    [Fact]
    public async Task AForwardedRequestReachingAShardThatIsNotTheHomeIsRefusedAndCreatesNothing()
    {
        var user = await ShardClients.UserAtHomeAsync(cluster, "c", "c");
        using var client = cluster.Client("a", user);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/peregrine/api/jobs") { Content = JsonContent.Create(new { title = "Misdirected", url = "https://jobs.invalid/m" }) };
        request.Headers.Add("X-Peregrine-Shard-Hop", "b");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.MisdirectedRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(cluster.HasTree("a", user), "a non-owner created the user's tree");
        Assert.Equal(0, await ShardClients.CountAllAsync(cluster.Client("c", user)));
    }
}

/// <summary>What the shard tests do over HTTP, in one place.</summary>
internal static class ShardClients
{
    public static async Task CreateJobAsync(HttpClient client, string title)
    {
        using var response = await TryCreateJobAsync(client, title);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"create job through {client.BaseAddress}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static Task<HttpResponseMessage> TryCreateJobAsync(HttpClient client, string title, CancellationToken cancellationToken = default) =>
        client.PostAsJsonAsync("/peregrine/api/jobs", new { title, url = $"https://jobs.invalid/{Guid.NewGuid():N}" }, cancellationToken);

    /// <summary>Every pending job's title; fails rather than return a page cut at the list's limit (which would look like lost writes).</summary>
    public static async Task<string[]> TitlesAsync(HttpClient client)
    {
        using var response = await client.GetAsync($"/peregrine/api/jobs?status=pending&limit={JobsService.MaxListLimit}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"list jobs through {client.BaseAddress}: {(int)response.StatusCode} {body}");
        string[] titles = [.. JsonDocument.Parse(body).RootElement.EnumerateArray().Select(job => job.GetProperty("title").GetString()!)];
        Assert.True(titles.Length < JobsService.MaxListLimit, $"{titles.Length} jobs, the list's limit: a test writing this many cannot check them all");
        return titles;
    }

    public static async Task<long> CountAllAsync(HttpClient client)
    {
        using (client)
        {
            using var response = await client.GetAsync("/peregrine/api/jobs/counts");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"counts through {client.BaseAddress}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("total").GetInt64();
        }
    }

    /// <summary>
    /// <paramref name="count"/> new users, each placed by a first write (<paramref name="firstJob"/>) entering at the
    /// shards in turn, eight at a time, as a bastion spreading load would; a failure quotes what the shards logged.
    /// </summary>
    public static async Task<string[]> NewUsersThroughEveryShardAsync(ShardCluster cluster, int count, string firstJob)
    {
        var users = Enumerable.Range(0, count).Select(_ => Guid.NewGuid().ToString()).ToArray();
        await cluster.ExplainingFailuresAsync(() => Parallel.ForEachAsync(
            users.Select((user, i) => (user, entry: cluster.Ids[i % cluster.Ids.Count])), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (u, _) =>
            {
                using var client = cluster.Client(u.entry, u.user);
                await CreateJobAsync(client, firstJob);
            }));
        return users;
    }

    /// <summary>A new user whose home turned out to be <paramref name="home"/>, placed by a first request through <paramref name="entry"/>.</summary>
    public static async Task<string> UserAtHomeAsync(ShardCluster cluster, string home, string entry)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var user = Guid.NewGuid().ToString();
            using var client = cluster.Client(entry, user);
            using var response = await client.GetAsync("/peregrine/api/session");
            Assert.True(response.IsSuccessStatusCode, $"first request: {(int)response.StatusCode}");
            if ((await cluster.HomesAsync())[user] == home)
            {
                return user;
            }
        }

        throw new InvalidOperationException($"no new user was placed on {home} in 60 tries");
    }
}
