using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Peregrine.AppHost.Bastion;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Sharding;

/// <summary>
/// Debian's Caddy running the generated bastion configuration for an app with two shards, each played by a loopback
/// server that answers with its shard id: requests are spread over both, and a shard that is down or unhealthy is
/// skipped without a failed request.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class ShardedBastionTests
{
    private const int Requests = 20;
    private static readonly BastionRoute Route = new("peregrine", "PEREGRINE_UPSTREAM", ForwardSession: true, Upstreams: 2);

    [Fact]
    public async Task RequestsAreSpreadOverEveryShard()
    {
        await using var a = await ShardAsync("a");
        await using var b = await ShardAsync("b");
        await using var bastion = await CaddyBastion.StartAsync(Route, Upstreams(a, b));
        using var client = bastion.ClientFrom("127.0.0.2");

        var answers = await AskAsync(client);

        Assert.Equal(["a", "b"], answers.Distinct().Order());
    }

    [Fact]
    public async Task WhenAShardIsDownEveryRequestIsServedByAnother()
    {
        await using var a = await ShardAsync("a");
        var b = await ShardAsync("b");
        await using var bastion = await CaddyBastion.StartAsync(Route, Upstreams(a, b));
        using var client = bastion.ClientFrom("127.0.0.2");

        await b.DisposeAsync();
        var answers = await AskAsync(client);

        Assert.All(answers, answer => Assert.Equal("a", answer));
    }

    [Fact]
    public async Task AShardWhoseHealthCheckFailsGetsNoRequests()
    {
        await using var a = await ShardAsync("a");
        await using var b = await ShardAsync("b", healthy: false);
        await using var bastion = await CaddyBastion.StartAsync(Route, Upstreams(a, b));
        using var client = bastion.ClientFrom("127.0.0.2");

        // The first probe runs when Caddy starts, then every few seconds: bounded by two of its intervals.
        var clock = Stopwatch.StartNew();
        var answers = await AskAsync(client);
        while (answers.Contains("b") && clock.Elapsed < TimeSpan.FromSeconds(12))
        {
            await Task.Delay(500);
            answers = await AskAsync(client);
        }

        Assert.All(answers, answer => Assert.Equal("a", answer));
    }

    private static string Upstreams(params LoopbackHttpServer[] shards) => string.Join(' ', shards.Select(shard => shard.Address.Authority));

    private static async Task<List<string>> AskAsync(HttpClient client)
    {
        var answers = new List<string>();
        for (var i = 0; i < Requests; i++)
        {
            using var response = await client.GetAsync("/peregrine/shard");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            answers.Add(await response.Content.ReadAsStringAsync());
        }

        return answers;
    }

    private static Task<LoopbackHttpServer> ShardAsync(string id, bool healthy = true) => LoopbackHttpServer.StartAsync(app =>
    {
        app.MapGet("/peregrine/shard", () => id);
        app.MapGet("/health", () => healthy ? Results.Ok() : Results.StatusCode(StatusCodes.Status503ServiceUnavailable));
    });
}
