using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// The scheduled backup in the generated cloud stack (the committed file equals the model: <see cref="CommittedManifestsTests"/>):
/// the app's image with another verb, opt-in, so a stack made from <c>.env.example</c> starts without a repository.
/// </summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ScheduledBackupComposeTests
{
    private static readonly YamlMappingNode Services = LoadServices("compose.cloud.yml");

    [Fact]
    public void TheBackupServiceRunsTheAppsImageWithoutBuildingItAgain()
    {
        var backup = Service("backup");

        Assert.Equal(Service("app")["image"].ToString(), backup["image"].ToString());
        Assert.False(backup.Children.ContainsKey("build"), "compose would build the app's image a second time");
        Assert.Equal(["backup-schedule"], Sequence(backup, "command"));
        Assert.Equal("true", backup["read_only"].ToString());
        // The image's check probes an HTTP port this process does not open.
        Assert.Equal("true", ((YamlMappingNode)backup["healthcheck"])["disable"].ToString());
        Assert.Equal(Sequence(Service("app"), "volumes"), Sequence(backup, "volumes"));
    }

    [Fact]
    public void TheBackupIsOptInThroughItsProfile()
    {
        Assert.Equal(["backup"], Sequence(Service("backup"), "profiles"));
        var example = File.ReadAllLines(Repository.Path(".env.example"));

        var profiles = example.Single(line => line.StartsWith("COMPOSE_PROFILES=", StringComparison.Ordinal));
        Assert.Equal("COMPOSE_PROFILES=platform-db", profiles);
        Assert.Contains("# RESTIC_REPOSITORY=", example);
        Assert.Contains("# RESTIC_PASSWORD=", example);
        // Nothing may wait for a service that may be absent.
        Assert.All(Services.Children.Values.Cast<YamlMappingNode>(), service => Assert.False(
            service.Children.TryGetValue("depends_on", out var dependsOn) && ((YamlMappingNode)dependsOn).Children.ContainsKey("backup")));
    }

    [Fact]
    public void TheAppKeepsItsOpenFileLimit()
    {
        var noFile = (YamlMappingNode)((YamlMappingNode)Service("app")["ulimits"])["nofile"];

        Assert.Equal("${API_OPEN_FILE_LIMIT:-20000}", noFile["soft"].ToString());
        Assert.Equal("${API_OPEN_FILE_LIMIT:-20000}", noFile["hard"].ToString());
    }

    private static YamlMappingNode Service(string name) => (YamlMappingNode)Services[name];

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        [.. ((YamlSequenceNode)node[key]).Children.Select(child => child.ToString())];

    private static YamlMappingNode LoadServices(string composeFile)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.Path(composeFile))));
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }
}
