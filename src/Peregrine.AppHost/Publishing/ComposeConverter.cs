using System.Text;
using System.Text.Json;
using YamlDotNet.Serialization;

namespace Peregrine.AppHost.Publishing;

/// <summary>
/// Converts the Aspire manifest plus what the model adds (<see cref="ComposeModel"/>) into one compose file per compose
/// project and one <c>.env.example</c>. Pure: the same inputs always give the same text, so the committed files can be
/// compared with a fresh conversion.
/// </summary>
public static class ComposeConverter
{
    public const string EnvExampleFileName = ".env.example";

    public static readonly ComposeVariable Registry =
        new("REGISTRY", "Registry and namespace of the images built from this repository.", "peregrine");

    /// <summary>The one Dockerfile of every project, relative to the repository root (the build context).</summary>
    public const string Dockerfile = "Dockerfile";

    /// <summary>The Dockerfile's build argument naming the project to build.</summary>
    public const string ProjectBuildArgument = "PROJECT";

    public static string ComposeFileName(string project) => $"compose.{project}.yml";

    /// <summary>File name → content: <c>compose.&lt;project&gt;.yml</c> for each project, then <c>.env.example</c>.</summary>
    public static IReadOnlyDictionary<string, string> Convert(JsonElement manifestResources, ComposeModel model)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var envExample = new StringBuilder()
            .AppendLine("# Generated from the AppHost model by ./eng/publish.sh — edit the model, not this file.")
            .AppendLine("# Copy to .env (never committed), set every secret, then see README \"Deploy\".");
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in model.Resources.Values.Select(resource => resource.Project).Distinct().Order(StringComparer.Ordinal))
        {
            var expressions = new ManifestExpressions(manifestResources, model.Parameters);
            var services = new SortedDictionary<string, object>(StringComparer.Ordinal);
            var volumes = new SortedDictionary<string, object>(StringComparer.Ordinal);
            foreach (var (name, resource) in model.Resources.Where(entry => entry.Value.Project == project))
            {
                services[name] = Service(name, manifestResources.GetProperty(name), resource, model, expressions);
                foreach (var mount in resource.Mounts.Where(mount => mount.IsNamedVolume))
                {
                    volumes[mount.Source] = new Dictionary<string, object>();
                }
            }

            var compose = new Dictionary<string, object> { ["services"] = services };
            if (volumes.Count > 0)
            {
                compose["volumes"] = volumes;
            }

            var fileName = ComposeFileName(project);
            files[fileName] = "# Generated from the AppHost model by ./eng/publish.sh — edit the model, not this file.\n"
                + Yaml.Serialize(compose);
            AppendVariables(envExample, fileName, expressions.UsedVariables.Where(variable => listed.Add(variable.Name)));
        }

        files[EnvExampleFileName] = envExample.ToString();
        return files;
    }

    private static Dictionary<string, object> Service(
        string name, JsonElement node, ComposeResource resource, ComposeModel model, ManifestExpressions expressions)
    {
        var service = new Dictionary<string, object>();
        if (resource.BuildProject is { } buildProject)
        {
            var tag = new ComposeVariable($"{EnvName(name)}_TAG", $"Image tag of the {name} service (each service can be pinned to its own release).", "latest");
            expressions.Use(Registry);
            expressions.Use(tag);
            var image = buildProject.Replace('.', '-').ToLowerInvariant();
            service["image"] = $"{Registry.Reference}/{image}:{tag.Reference}";
            service["build"] = new Dictionary<string, object>
            {
                ["context"] = ".",
                ["dockerfile"] = Dockerfile,
                ["args"] = new Dictionary<string, string> { [ProjectBuildArgument] = buildProject },
            };
        }
        else
        {
            service["image"] = node.GetProperty("image").GetString()!;
        }

        if (node.TryGetProperty("args", out var args))
        {
            service["command"] = args.EnumerateArray().Select(arg => expressions.Resolve(arg.GetString()!)).ToList();
        }

        if (node.TryGetProperty("env", out var env))
        {
            service["environment"] = new SortedDictionary<string, string>(
                env.EnumerateObject().ToDictionary(variable => variable.Name, variable => expressions.Resolve(variable.Value.GetString()!)),
                StringComparer.Ordinal);
        }

        var ports = PublishedPorts(name, node, expressions);
        if (ports.Count > 0)
        {
            service["ports"] = ports;
        }

        if (resource.Mounts.Count > 0)
        {
            foreach (var hostPath in resource.Mounts.Select(mount => mount.HostPath).OfType<ComposeVariable>())
            {
                expressions.Use(hostPath);
            }

            service["volumes"] = resource.Mounts.Select(mount => mount.ToCompose()).ToList();
        }

        var dependsOn = resource.DependsOn
            .Where(dependency => model.Resources.TryGetValue(dependency, out var other) && other.Project == resource.Project)
            .Distinct().Order(StringComparer.Ordinal).ToList();
        if (dependsOn.Count > 0)
        {
            service["depends_on"] = dependsOn;
        }

        if (resource.OpenFileLimit is { } limit)
        {
            service["ulimits"] = new Dictionary<string, object>
            {
                ["nofile"] = new Dictionary<string, int> { ["soft"] = limit, ["hard"] = limit },
            };
        }

        service["restart"] = "unless-stopped";
        return service;
    }

    /// <summary>Only bindings the model marks external are published on the host; everything else stays internal.</summary>
    private static List<string> PublishedPorts(string name, JsonElement node, ManifestExpressions expressions)
    {
        var ports = new List<string>();
        if (!node.TryGetProperty("bindings", out var bindings))
        {
            return ports;
        }

        foreach (var binding in bindings.EnumerateObject())
        {
            if (!binding.Value.TryGetProperty("external", out var external) || !external.GetBoolean())
            {
                continue;
            }

            var targetPort = expressions.TargetPort(name, binding.Name);
            var hostPort = binding.Value.TryGetProperty("port", out var port) ? port.GetInt32() : targetPort;
            var variable = new ComposeVariable($"{EnvName(name)}_HOST_PORT", $"Host port of {name} (the only port this compose project publishes).", $"{hostPort}");
            expressions.Use(variable);
            ports.Add($"{variable.Reference}:{targetPort}");
        }

        return ports;
    }

    private static void AppendVariables(StringBuilder envExample, string fileName, IEnumerable<ComposeVariable> variables)
    {
        envExample.AppendLine().AppendLine($"# --- {fileName}");
        foreach (var variable in variables.OrderBy(variable => !variable.Secret).ThenBy(variable => variable.Name, StringComparer.Ordinal))
        {
            envExample.AppendLine($"# {variable.Description}");
            envExample.AppendLine(variable.Secret
                ? $"{variable.Name}="
                : $"# {variable.Name}={variable.DefaultValue}");
        }
    }

    public static string EnvName(string name) =>
        new([.. name.Select(character => char.IsAsciiLetterOrDigit(character) ? char.ToUpperInvariant(character) : '_')]);

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .DisableAliases()
        .WithQuotingNecessaryStrings()
        .Build();
}
