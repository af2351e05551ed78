using Peregrine.Tests.Deployment;
using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Demo;

/// <summary>The demo's compose project carries no secret, no platform DB, no cloud data root, and shares nothing with the cloud's.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class DemoIsolationTests
{
    private static readonly string[] CloudOnly = ["DIRECTUS_JWT_SECRET", "CF_SERVER_SECRET", "PLATFORM_DB_URL", "CLOUD_DATA_ROOT", "CLOUD_MODE"];

    [Fact]
    public void TheDemoComposeProjectHasNoSecretAndSharesNoVolumeOrNetworkWithTheCloud()
    {
        var demo = Load("compose.demo.yml");
        var cloud = Load("compose.cloud.yml");

        var environment = (YamlMappingNode)Services(demo)["app"]["environment"];
        Assert.Equal("true", environment["DEMO_MODE"].ToString());
        Assert.DoesNotContain(environment.Children.Keys.Select(k => k.ToString()), CloudOnly.Contains);
        Assert.Empty(Named(demo, "volumes").Intersect(Named(cloud, "volumes")));
        Assert.Empty(Named(demo, "networks").Intersect(Named(cloud, "networks")));
        Assert.DoesNotContain("cf-platform-db", Services(demo).Children.Keys.Select(k => k.ToString()));
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(File.ReadAllText(Repository.Path(file))));
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Services(YamlMappingNode compose) => (YamlMappingNode)compose["services"];

    private static IEnumerable<string> Named(YamlMappingNode compose, string section) =>
        compose.Children.TryGetValue(section, out var node) ? ((YamlMappingNode)node).Children.Keys.Select(k => k.ToString()) : [];
}
