using Microsoft.Extensions.Configuration;
using Peregrine.AppHost.Apps;
using Peregrine.AppHost.Bastion;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment;

/// <summary>The shard count the AppHost reads, the names and ports each shard gets, and the bastion's route over them.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ApiShardTests
{
    private static readonly HostedApp Peregrine = new("peregrine", 0);
    private static readonly HostedApp Falcon = new("falcon", 1);

    [Fact]
    public void WithoutAShardCountEachAppIsOneApiAsToday()
    {
        var shards = ApiShard.ReadAll(Configuration());

        var only = Assert.Single(shards);
        Assert.Equal("api", only.ResourceName(Peregrine));
        Assert.Equal("app", only.ServiceName(Peregrine));
        Assert.Equal("CLOUD_DATA_ROOT", only.HostDataRoot(sharded: false).Name);
        Assert.Equal(Path.Combine("/state", "cloud-data"), only.RunModeDataRoot("/state"));
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("3", 3)]
    [InlineData(" 16 ", 16)]
    public void TheCountIsAWholeNumberFromOneToSixteen(string value, int expected)
    {
        Assert.Equal(expected, ApiShard.ReadAll(Configuration(value)).Count);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("17")]
    [InlineData("-1")]
    [InlineData("two")]
    [InlineData("2.5")]
    public void AnyOtherCountIsRefusedNamingTheSettingAndTheValue(string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => ApiShard.ReadAll(Configuration(value)));

        Assert.Contains($"Shards:Count is '{value}'", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 to 16", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardAKeepsTodaysNamesAndTheOthersAreSuffixedWithTheirId()
    {
        var shards = ApiShard.ReadAll(Configuration("3"));

        Assert.Equal(["a", "b", "c"], shards.Select(shard => shard.Id));
        Assert.Equal(["api", "api-b", "api-c"], shards.Select(shard => shard.ResourceName(Peregrine)));
        Assert.Equal(["app", "app-b", "app-c"], shards.Select(shard => shard.ServiceName(Peregrine)));
        Assert.Equal(["falcon-api", "falcon-api-b", "falcon-api-c"], shards.Select(shard => shard.ServiceName(Falcon)));
    }

    [Fact]
    public void EverySiloOfEveryAppHasItsOwnPortStartingAtOrleansDefault()
    {
        var shards = ApiShard.ReadAll(Configuration("16"));

        var ports = new[] { Peregrine, Falcon }.SelectMany(app => shards.Select(shard => shard.SiloPort(app))).ToList();

        Assert.Equal(11111, ports[0]);
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    [Fact]
    public void ShardAKeepsTheRunbooksDataRootAndNoShardsTreeIsInsideAnother()
    {
        var shards = ApiShard.ReadAll(Configuration("3"));

        Assert.Equal(["CLOUD_DATA_ROOT", "CLOUD_DATA_ROOT_B", "CLOUD_DATA_ROOT_C"], shards.Select(shard => shard.HostDataRoot(sharded: true).Name));
        Assert.Equal(["/devl/menagerie-data", "/devl/menagerie-data-b", "/devl/menagerie-data-c"], shards.Select(shard => shard.HostDataRoot(sharded: true).DefaultValue));
        Assert.All(shards, shard => Assert.True(shard.HostDataRoot(sharded: true).Prompted, "each shard's folder is listed in .env.example to fill in"));
        var runRoots = shards.Select(shard => shard.RunModeDataRoot("/state") + Path.DirectorySeparatorChar).ToList();
        Assert.Equal(Path.Combine("/state", "cloud-data-b") + Path.DirectorySeparatorChar, runRoots[1]);
        Assert.All(runRoots, root => Assert.Single(runRoots, other => other.StartsWith(root, StringComparison.Ordinal)));
    }

    [Fact]
    public void ARouteOverSeveralShardsSpreadsByLoadAndSkipsADeadShard()
    {
        var routes = CaddyConfig.Routes([new BastionRoute("peregrine", "PEREGRINE_UPSTREAM", ForwardSession: true, Upstreams: 2)]).ReplaceLineEndings("\n");

        Assert.Contains("\treverse_proxy {$PEREGRINE_UPSTREAM} {\n", routes, StringComparison.Ordinal);
        Assert.Contains("\t\tlb_policy least_conn\n", routes, StringComparison.Ordinal);
        Assert.Contains("\t\tlb_try_duration 5s\n", routes, StringComparison.Ordinal);
        Assert.Contains("\t\tfail_duration 10s\n", routes, StringComparison.Ordinal);
        Assert.Contains("\t\thealth_uri /health\n", routes, StringComparison.Ordinal);
        // Hashing the Cookie header sends one user to different shards as its cookies change: never the router.
        Assert.DoesNotContain("lb_policy header", routes, StringComparison.Ordinal);
        Assert.DoesNotContain("lb_policy cookie", routes, StringComparison.Ordinal);
        Assert.Contains("header_up X-CF-Session {header.Cookie}", routes, StringComparison.Ordinal);
    }

    [Fact]
    public void ARouteToOneServerHasNoBalancing()
    {
        var routes = CaddyConfig.Routes([new BastionRoute("peregrine", "PEREGRINE_UPSTREAM", ForwardSession: true)]);

        Assert.DoesNotContain("lb_", routes, StringComparison.Ordinal);
        Assert.DoesNotContain("health_", routes, StringComparison.Ordinal);
        Assert.DoesNotContain("shards", routes, StringComparison.Ordinal);
    }

    private static IConfiguration Configuration(string? count = null) => new ConfigurationBuilder()
        .AddInMemoryCollection(count is null ? [] : [KeyValuePair.Create(ApiShard.CountKey, (string?)count)])
        .Build();
}
