using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Shards;

/// <summary>Without <c>Shards__Id</c> the service is the single host it always was: no silo, no router, no refusal.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class ShardModeOffTests
{
    [Fact]
    public async Task WithoutAShardIdNoSiloRunsAndARequestIsServedWhereItArrives()
    {
        await using var api = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);

        using var response = await client.GetAsync("/peregrine/api/session");

        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}");
        Assert.Null(api.Services.GetService<IClusterMembershipService>());
        Assert.True(Directory.Exists(Path.Combine(api.DataRoot, user)));
    }

    [Fact]
    public async Task AShardIdWithoutAPlatformDbRefusesToStartAndSaysWhy()
    {
        using var root = new TestDirectory("shard-no-db");
        var environment = CloudEnvironment.For(root.Path);
        environment["Shards__Id"] = "a";

        var outcome = await ApiProcess.RunAsync(environment, TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, outcome.ExitCode);
        Assert.Contains("Shards__Id is set, but shards need CLOUD_MODE and a platform DB (PLATFORM_DB_URL)", outcome.StandardError, StringComparison.Ordinal);
    }
}
