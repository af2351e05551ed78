using System.Reflection;
using Microsoft.Extensions.Configuration;
using Peregrine.Configuration;
using Peregrine.Tests.Deployment;
using Peregrine.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Tests.Rotation;

/// <summary>The cloud stack carries every rotation variable the service reads, each optional, so a rotation is a change to <c>.env</c> and an <c>up -d</c>.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class RotationOverlayTests
{
    [Fact]
    public void TheCloudStackPassesEveryPreviousSecretVariableToTheAppAsOptional()
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Repository.Path("compose.cloud.yml"))));
        var app = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])["app"];
        var environment = ((YamlMappingNode)app["environment"]).Children
            .Where(pair => pair.Key.ToString().Contains("_PREVIOUS", StringComparison.Ordinal))
            .ToDictionary(pair => pair.Key.ToString(), pair => pair.Value.ToString());

        var rotationVariables = typeof(PeregrineOptions).GetProperties()
            .Select(property => property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
            .OfType<string>()
            .Where(name => name.Contains("_PREVIOUS", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

        Assert.Equal(rotationVariables, environment.Keys.Order(StringComparer.Ordinal));
        Assert.All(environment, variable => Assert.Equal($"${{{variable.Key}:-}}", variable.Value));
    }
}
