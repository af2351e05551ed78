using System.Reflection;
using Microsoft.Extensions.Configuration;
using Peregrine.Configuration;
using Peregrine.Tests.Deployment;
using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Rotation;

/// <summary>The compose overlay of a rotation carries exactly the rotation variables the service reads, each optional.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class RotationOverlayTests
{
    [Fact]
    public void TheOverlayPassesEveryPreviousSecretVariableToTheApiAsOptional()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.Path("compose.rotation.yml"))));
        var api = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])["api"];
        var environment = ((YamlMappingNode)api["environment"]).Children.ToDictionary(pair => pair.Key.ToString(), pair => pair.Value.ToString());

        var rotationVariables = typeof(PeregrineOptions).GetProperties()
            .Select(property => property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>()
            .Where(name => name.Contains("_PREVIOUS", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(rotationVariables, environment.Keys.Order(StringComparer.Ordinal));
        Assert.All(environment, variable => Assert.Equal($"${{{variable.Key}:-}}", variable.Value));
    }
}
