using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// <c>./eng/publish.sh --shards 2</c>: each shard a compose service with its own data folder and shard settings, one
/// image for all, the bastion in front of every shard, and the runbook's names still meaning what they meant.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class ShardedComposeTests(TwoShardsModelPublish fixture) : IClassFixture<TwoShardsModelPublish>
{
    private YamlMappingNode Services => ComposeYaml.Services(fixture.Publish.Read("compose.cloud.yml"));

    [Fact]
    public void EachShardIsAServiceWithItsOwnDataFolderGivenToTheAppsUserFirst()
    {
        var services = Services;

        Assert.Equal(["${CLOUD_DATA_ROOT:-/devl/menagerie-data}:/data/cloud"], ComposeYaml.Sequence(services["app"], "volumes"));
        Assert.Equal("${CLOUD_DATA_ROOT_B:-/devl/menagerie-data-b}:/data/cloud", ComposeYaml.Sequence(services["app-b"], "volumes")[0]);
        Assert.Equal("${CLOUD_DATA_ROOT_B:-/devl/menagerie-data-b}", services["app-b"]["environment"]["PEREGRINE_DATA_ROOT_ON_HOST"].ToString());
        Assert.Equal(ComposeYaml.Sequence(services["app-b"], "volumes"), ComposeYaml.Sequence(services["app-b-data-owner"], "volumes"));
        Assert.Equal("service_completed_successfully", services["app-b"]["depends_on"]["app-b-data-owner"]["condition"].ToString());
        Assert.Equal("true", services["app-b"]["read_only"].ToString());
    }

    [Fact]
    public void EveryShardSignsWithShardAsKeyRingAndSeesNoOtherFolderOfIt()
    {
        var services = Services;

        Assert.Equal(
            ["${CLOUD_DATA_ROOT_B:-/devl/menagerie-data-b}:/data/cloud", "${CLOUD_DATA_ROOT:-/devl/menagerie-data}/.data-protection:/data/keys"],
            ComposeYaml.Sequence(services["app-b"], "volumes"));
        Assert.Equal("/data/keys", services["app-b"]["environment"]["DATA_PROTECTION_KEYS_DIR"].ToString());
        // Shard a keeps its ring where it is today, in its own data root.
        Assert.False(((YamlMappingNode)services["app"]["environment"]).Children.ContainsKey("DATA_PROTECTION_KEYS_DIR"));
    }

    [Fact]
    public void EachShardGetsItsIdSiloPortAndTheAddressesOtherShardsReachItOn()
    {
        var services = Services;

        foreach (var (service, id, siloPort) in new[] { ("app", "a", "11111"), ("app-b", "b", "11112") })
        {
            var environment = (YamlMappingNode)services[service]["environment"];
            Assert.Equal(id, environment["Shards__Id"].ToString());
            Assert.Equal(siloPort, environment["Shards__SiloPort"].ToString());
            Assert.Equal(service, environment["Shards__AdvertisedIp"].ToString());
            Assert.Equal($"http://{service}:8505", environment["Shards__AdvertisedUrl"].ToString());
            // The cluster (one per app) and the gateway (none) are the Api's defaults.
            Assert.False(environment.Children.ContainsKey("Shards__ClusterId"));
            Assert.False(environment.Children.ContainsKey("Shards__GatewayPort"));
        }
    }

    [Fact]
    public void EveryShardSharesTheSecretsAndThePlatformDb()
    {
        var a = (YamlMappingNode)Services["app"]["environment"];
        var b = (YamlMappingNode)Services["app-b"]["environment"];

        foreach (var shared in new[] { "CF_SERVER_SECRET", "DIRECTUS_JWT_SECRET", "PLATFORM_DB_URL", "PGPASSWORD", "PEREGRINE_APP", "CLOUD_DATA_ROOT", "HTTP_PORTS" })
        {
            Assert.Equal(a[shared].ToString(), b[shared].ToString());
        }
    }

    [Fact]
    public void OneBuildOfAppMakesTheImageEveryShardRuns()
    {
        var services = Services;

        Assert.True(((YamlMappingNode)services["app"]).Children.ContainsKey("build"), "`build app` (runbook) builds the image");
        Assert.False(((YamlMappingNode)services["app-b"]).Children.ContainsKey("build"), "compose would build the same image twice");
        Assert.Equal("${REGISTRY:-peregrine}/peregrine-api:${API_TAG:-latest}", services["app-b"]["image"].ToString());
        Assert.Equal("${API_OPEN_FILE_LIMIT:-20000}", services["app-b"]["ulimits"]["nofile"]["soft"].ToString());
        Assert.Equal(services["app"]["image"].ToString(), services["backup"]["image"].ToString());
    }

    [Fact]
    public void TheBackupMountsEveryShardsDataRootNamesEachAndStartsAfterEveryShard()
    {
        var backup = (YamlMappingNode)Services["backup"];
        var environment = (YamlMappingNode)backup["environment"];

        Assert.Equal(
            ["${CLOUD_DATA_ROOT:-/devl/menagerie-data}:/data/cloud", "${CLOUD_DATA_ROOT_B:-/devl/menagerie-data-b}:/data/cloud-b"],
            ComposeYaml.Sequence(backup, "volumes"));
        Assert.Equal("/data/cloud", environment["Shards__DataRoots__a"].ToString());
        Assert.Equal("/data/cloud-b", environment["Shards__DataRoots__b"].ToString());
        // Shard a's root stays where the staging area and the key ring are found by default.
        Assert.Equal("/data/cloud", environment["CLOUD_DATA_ROOT"].ToString());
        Assert.False(environment.Children.ContainsKey("Shards__Id"), "the backup is no shard: it joins no cluster");
        Assert.Equal(["app", "app-b"], ((YamlMappingNode)backup["depends_on"]).Children.Keys.Select(key => key.ToString()));
    }

    [Fact]
    public void TheBastionListsEveryShardAndStartsAfterThem()
    {
        var bastion = (YamlMappingNode)Services["bastion"];

        Assert.Equal("app:8505 app-b:8505", bastion["environment"]["PEREGRINE_UPSTREAM"].ToString());
        Assert.Equal(["app", "app-b"], ((YamlMappingNode)bastion["depends_on"]).Children.Keys.Select(key => key.ToString()));
        Assert.Contains("\t\tlb_policy least_conn\n", fixture.Publish.Read("deploy/bastion/routes.caddy"), StringComparison.Ordinal);
    }

    [Fact]
    public void ShardsBelieveEachOthersForwardedClientAddress()
    {
        foreach (var service in new[] { "app", "app-b" })
        {
            var trusted = Services[service]["environment"]["TRUSTED_PROXIES"].ToString().Split(' ');

            Assert.Contains("app", trusted);
            Assert.Contains("app-b", trusted);
            Assert.Contains("bastion", trusted);
        }
    }

    [Fact]
    public void TheEnvExampleAsksForEachShardsDataFolder()
    {
        var example = fixture.Publish.Read(".env.example").Split('\n');

        Assert.Contains("CLOUD_DATA_ROOT=/devl/menagerie-data", example);
        Assert.Contains("CLOUD_DATA_ROOT_B=/devl/menagerie-data-b", example);
        Assert.Single(example, line => line.StartsWith("# API_OPEN_FILE_LIMIT=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DockerComposeAcceptsItWithOnlyTheRunbooksVariables()
    {
        await File.WriteAllTextAsync(fixture.Publish.OutputDirectory + "/runbook.env", """
            CLOUD_DATA_ROOT=/devl/menagerie-data
            DIRECTUS_JWT_SECRET=from-website-env
            CF_SERVER_SECRET=generated-once
            """);

        var result = await CommandLine.RunAsync(
            "docker-compose", ["--file", "compose.cloud.yml", "--env-file", "runbook.env", "config"], fixture.Publish.OutputDirectory, TimeSpan.FromMinutes(1));

        Assert.True(result.ExitCode == 0, $"docker-compose config rejected the two-shard file: {result}");
        Assert.Contains("/devl/menagerie-data-b:/data/cloud", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("WARNING", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDemoStackDoesNotChange()
    {
        Assert.Equal(File.ReadAllText(Repository.Path("compose.demo.yml")), fixture.Publish.Read("compose.demo.yml"));
        Assert.Equal(File.ReadAllText(Repository.Path("deploy/demo-bastion/routes.caddy")), fixture.Publish.Read("deploy/demo-bastion/routes.caddy"));
    }
}

/// <summary>Three shards of two apps: every silo port distinct, each app's bastion route over its own three shards.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class ThreeShardsTwoAppsComposeTests(ThreeShardsTwoAppsModelPublish fixture) : IClassFixture<ThreeShardsTwoAppsModelPublish>
{
    private static readonly string[] ApiServices = ["app", "app-b", "app-c", "falcon-api", "falcon-api-b", "falcon-api-c"];

    private YamlMappingNode Services => ComposeYaml.Services(fixture.Publish.Read("compose.cloud.yml"));

    [Fact]
    public void EveryShardOfEveryAppIsAServiceOnItsOwnSiloPort()
    {
        var services = Services;

        var siloPorts = ApiServices.Select(service => services[service]["environment"]["Shards__SiloPort"].ToString()).ToList();

        Assert.Equal(ApiServices.Length, siloPorts.Distinct().Count());
        Assert.Equal(["a", "b", "c"], ApiServices[3..].Select(service => services[service]["environment"]["Shards__Id"].ToString()));
        Assert.Equal(["falcon", "falcon", "falcon"], ApiServices[3..].Select(service => services[service]["environment"]["PEREGRINE_APP"].ToString()));
    }

    [Fact]
    public void ShardsOfOneIdShareTheirFolderAcrossAppsAsAllAppsShareItToday()
    {
        var services = Services;

        Assert.Equal(ComposeYaml.Sequence(services["app-c"], "volumes"), ComposeYaml.Sequence(services["falcon-api-c"], "volumes"));
        Assert.Equal("${CLOUD_DATA_ROOT_C:-/devl/menagerie-data-c}:/data/cloud", ComposeYaml.Sequence(services["falcon-api-c"], "volumes")[0]);
        Assert.Equal("${REGISTRY:-peregrine}/peregrine-api:${FALCON_API_TAG:-latest}", services["falcon-api-c"]["image"].ToString());
    }

    [Fact]
    public void EachAppsRouteListsItsOwnShards()
    {
        var environment = (YamlMappingNode)Services["bastion"]["environment"];

        Assert.Equal("app:8505 app-b:8505 app-c:8505", environment["PEREGRINE_UPSTREAM"].ToString());
        Assert.Equal("falcon-api:8506 falcon-api-b:8506 falcon-api-c:8506", environment["FALCON_UPSTREAM"].ToString());
    }

    [Fact]
    public void OnlyTheBastionPublishesAHostPort()
    {
        var publishing = Services.Children.Where(service => ((YamlMappingNode)service.Value).Children.ContainsKey("ports"))
            .Select(service => service.Key.ToString());

        Assert.Equal(["bastion"], publishing);
    }

    /// <summary>Debian's Caddy (2.6, as the image) reads the generated files and splits each list into its upstreams.</summary>
    [Fact]
    public async Task CaddyTakesEveryShardOfEachAppAsAnUpstream()
    {
        var environment = (YamlMappingNode)Services["bastion"]["environment"];

        var result = await CommandLine.RunAsync(
            "caddy", ["adapt", "--config", "Caddyfile", "--adapter", "caddyfile"], Path.Combine(fixture.Publish.OutputDirectory, "deploy", "bastion"), TimeSpan.FromMinutes(1),
            new Dictionary<string, string>
            {
                ["BASTION_PORT"] = "8080",
                ["PEREGRINE_UPSTREAM"] = environment["PEREGRINE_UPSTREAM"].ToString(),
                ["FALCON_UPSTREAM"] = environment["FALCON_UPSTREAM"].ToString(),
            });

        Assert.True(result.ExitCode == 0, $"caddy adapt failed: {result}");
        foreach (var service in ApiServices)
        {
            Assert.Contains($"{{\"dial\":\"{service}:{(service.StartsWith("app", StringComparison.Ordinal) ? 8505 : 8506)}\"}}", result.Output, StringComparison.Ordinal);
        }

        Assert.Equal(2, result.Output.Split("\"policy\":\"least_conn\"").Length - 1);
    }
}

internal static class ComposeYaml
{
    public static YamlMappingNode Services(string compose)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    public static List<string> Sequence(YamlNode node, string key) =>
        [.. ((YamlSequenceNode)((YamlMappingNode)node)[key]).Children.Select(child => child.ToString())];
}
