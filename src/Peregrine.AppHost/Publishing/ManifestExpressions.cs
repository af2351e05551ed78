using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Peregrine.AppHost.Publishing;

/// <summary>
/// Turns the manifest's <c>{resource.path}</c> expressions into compose values: bindings become compose service names and
/// container ports (services talk over the compose network), parameters become <c>.env</c> variables.
/// </summary>
public sealed partial class ManifestExpressions(JsonElement resources, ComposeModel model)
{
    /// <summary>Projects listen on 8080 in containers unless the model gives them a port.</summary>
    public const int DefaultProjectPort = 8080;

    private readonly HashSet<ComposeVariable> _used = [];

    /// <summary>The parameters the resolved values referred to, for <c>.env.example</c>.</summary>
    public IReadOnlyCollection<ComposeVariable> UsedVariables => _used;

    /// <summary>Records that a compose file refers to <paramref name="variable"/> (for <c>.env.example</c>); returns it.</summary>
    public ComposeVariable Use(ComposeVariable variable)
    {
        _used.Add(variable);
        return variable;
    }

    public string Resolve(string value) =>
        ExpressionPattern().Replace(value.Replace("$", "$$", StringComparison.Ordinal), match => ResolveOne(match.Groups[1].Value, match.Groups[2].Value));

    public int TargetPort(string resourceName, string binding)
    {
        var resource = Resource(resourceName);
        var bindingNode = resource.GetProperty("bindings").GetProperty(binding);
        if (bindingNode.TryGetProperty("targetPort", out var targetPort))
        {
            return targetPort.GetInt32();
        }

        return Type(resource).StartsWith("project", StringComparison.Ordinal)
            ? DefaultProjectPort
            : throw new InvalidOperationException($"{resourceName}.bindings.{binding} has no targetPort");
    }

    private string ResolveOne(string resourceName, string path)
    {
        var resource = Resource(resourceName);
        switch (path.Split('.'))
        {
            case ["connectionString"]:
                return Resolve(resource.GetProperty("connectionString").GetString()!);
            case ["value"] when Type(resource) == "parameter.v0":
                var variable = model.Parameters.TryGetValue(resourceName, out var known)
                    ? known
                    : throw new InvalidOperationException($"parameter {resourceName} has no compose variable");
                _used.Add(variable);
                return variable.Reference;
            case ["value"]:
                return Resolve(resource.GetProperty("value").GetString()!);
            case ["bindings", var binding, var property]:
                var scheme = resource.GetProperty("bindings").GetProperty(binding).GetProperty("scheme").GetString();
                var port = TargetPort(resourceName, binding).ToString(CultureInfo.InvariantCulture);
                var host = model.ServiceName(resourceName);
                return property switch
                {
                    "host" => host,
                    "port" or "targetPort" => port,
                    "hostAndPort" => $"{host}:{port}",
                    "url" => $"{scheme}://{host}:{port}",
                    "scheme" => scheme!,
                    _ => throw new NotSupportedException($"manifest expression {{{resourceName}.{path}}}"),
                };
            default:
                throw new NotSupportedException($"manifest expression {{{resourceName}.{path}}}");
        }
    }

    private JsonElement Resource(string name) => resources.TryGetProperty(name, out var resource)
        ? resource
        : throw new InvalidOperationException($"manifest has no resource {name}");

    private static string Type(JsonElement resource) => resource.GetProperty("type").GetString()!;

    [GeneratedRegex(@"\{([^.{}]+)\.([^{}]+)\}")]
    private static partial Regex ExpressionPattern();
}
