using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Deployment;

/// <summary>Adding "falcon" to the AppHost's Apps list is all it takes to deploy it: no code change.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class AppOnboardingTests(FalconModelPublish fixture) : IClassFixture<FalconModelPublish>
{
    [Fact]
    public void FalconGetsItsOwnComposeServiceOnItsOwnPort()
    {
        var services = Services(fixture.Publish.Read("compose.cloud.yml"));

        var falcon = (YamlMappingNode)services["falcon-api"];
        var environment = (YamlMappingNode)falcon["environment"];
        Assert.Equal("falcon", environment["PEREGRINE_APP"].ToString());
        Assert.Equal("true", environment["CLOUD_MODE"].ToString());
        Assert.Equal("8506", environment["HTTP_PORTS"].ToString());
        Assert.Equal("8505", ((YamlMappingNode)services["app"])["environment"]["HTTP_PORTS"].ToString());
        Assert.Equal("falcon-api:8506", ((YamlMappingNode)services["bastion"])["environment"]["FALCON_UPSTREAM"].ToString());
    }

    [Fact]
    public void OnlyTheBastionPublishesAHostPort()
    {
        var services = Services(fixture.Publish.Read("compose.cloud.yml"));

        var publishing = services.Children.Where(service => ((YamlMappingNode)service.Value).Children.ContainsKey("ports"))
            .Select(service => service.Key.ToString());
        Assert.Equal(["bastion"], publishing);
    }

    [Fact]
    public void FalconGetsARouteBlockThatForwardsTheSession()
    {
        var routes = fixture.Publish.Read("deploy/bastion/routes.caddy");

        var falcon = routes[routes.IndexOf("handle /falcon* {", StringComparison.Ordinal)..];
        Assert.StartsWith("handle /falcon* {\n\treverse_proxy {$FALCON_UPSTREAM} {", falcon, StringComparison.Ordinal);
        Assert.Contains("header_up X-CF-Session {header.Cookie}", falcon, StringComparison.Ordinal);
    }

    [Fact]
    public void FalconGetsItsEnvExampleEntry()
    {
        Assert.Contains("# FALCON_API_TAG=latest", fixture.Publish.Read(".env.example").Split('\n'));
    }

    [Fact]
    public void TheDemoComposeFileDoesNotChange()
    {
        Assert.Equal(File.ReadAllText(Repository.Path("compose.demo.yml")), fixture.Publish.Read("compose.demo.yml"));
    }

    private static YamlMappingNode Services(string compose)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(compose));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }
}
