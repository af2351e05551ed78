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

    /// <summary>
    /// The Dockerfile's base images (its ARGs before the first FROM, with the same defaults): official images, which a
    /// machine without registry access replaces with local stand-ins of the same names (<c>eng/base-images.sh</c>).
    /// </summary>
    public static readonly IReadOnlyList<ComposeVariable> BaseImages =
    [
        new("DOTNET_SDK_IMAGE", "Base image of the .NET build stage.", "mcr.microsoft.com/dotnet/sdk:10.0"),
        new("ASPNET_IMAGE", "Base image the apps run on (also runs the one-shot data owner services).", "mcr.microsoft.com/dotnet/aspnet:10.0"),
        new("NODE_IMAGE", "Base image of the encryption engine's build stage.", "node:22-bookworm"),
    ];

    /// <summary>The runtime image's unprivileged user (<c>$APP_UID</c> of the aspnet image), who owns the data mounts.</summary>
    public const string AppUser = "1654:1654";

    public static string ComposeFileName(string project) => $"compose.{project}.yml";

    /// <summary>File name → content: <c>compose.&lt;project&gt;.yml</c> for each project, then <c>.env.example</c>.</summary>
    public static IReadOnlyDictionary<string, string> Convert(JsonElement manifestResources, ComposeModel model)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var envExample = new StringBuilder()
            .AppendLine("# Generated from the AppHost model by ./eng/publish.sh — edit the model, not this file.")
            .AppendLine("# Copy to .env (never committed) beside the compose files, set every secret, then see docs/deployment.md.");
        var listed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var project in model.Resources.Values.Select(resource => resource.Project).Distinct().Order(StringComparer.Ordinal))
        {
            var expressions = new ManifestExpressions(manifestResources, model);
            var services = new SortedDictionary<string, object>(StringComparer.Ordinal);
            var volumes = new SortedDictionary<string, object>(StringComparer.Ordinal);
            foreach (var (name, resource) in model.Resources.Where(entry => entry.Value.Project == project))
            {
                var serviceName = model.ServiceName(name);
                services[serviceName] = Service(name, manifestResources.GetProperty(name), resource, model, expressions);
                if (resource.Options.OwnsItsMounts)
                {
                    services[DataOwner.ServiceName(serviceName)] = DataOwner.Service(resource, expressions);
                }

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
            var profiles = model.Resources.Where(entry => entry.Value.Project == project)
                .SelectMany(entry => entry.Value.Options.Profiles.Select(profile => (Profile: profile, Service: model.ServiceName(entry.Key))));
            AppendVariables(envExample, fileName, profiles, expressions.UsedVariables.Where(variable => listed.Add(variable.Name)));
        }

        files[EnvExampleFileName] = envExample.ToString();
        return files;
    }

    private static Dictionary<string, object> Service(
        string name, JsonElement node, ComposeResource resource, ComposeModel model, ManifestExpressions expressions)
    {
        var options = resource.Options;
        var service = new Dictionary<string, object>();
        if (resource.BuildProject is { } buildProject)
        {
            service["image"] = ProjectImage(name, buildProject, expressions);
            var arguments = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ProjectBuildArgument] = buildProject };
            foreach (var baseImage in BaseImages)
            {
                expressions.Use(baseImage);
                arguments[baseImage.Name] = baseImage.Reference;
            }

            service["build"] = new Dictionary<string, object> { ["context"] = ".", ["dockerfile"] = Dockerfile, ["args"] = arguments };
        }
        else
        {
            var image = node.GetProperty("image").GetString()!;
            service["image"] = options.ImageVariable is { } variable
                ? expressions.Use(new ComposeVariable(variable, $"Image of the {model.ServiceName(name)} service.", image)).Reference
                : image;
        }

        if (options.ContainerName is { } containerName)
        {
            service["container_name"] = containerName;
        }

        if (options.Profiles.Count > 0)
        {
            service["profiles"] = options.Profiles;
        }

        if (node.TryGetProperty("args", out var args))
        {
            service["command"] = args.EnumerateArray().Select(arg => expressions.Resolve(arg.GetString()!)).ToList();
        }

        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (node.TryGetProperty("env", out var env))
        {
            foreach (var variable in env.EnumerateObject())
            {
                environment[variable.Name] = expressions.Resolve(variable.Value.GetString()!);
            }
        }

        foreach (var (variableName, variable) in options.Environment)
        {
            environment[variableName] = expressions.Use(variable).Reference;
        }

        if (environment.Count > 0)
        {
            service["environment"] = environment;
        }

        if (options.ExtraHosts.Count > 0)
        {
            service["extra_hosts"] = options.ExtraHosts;
        }

        var ports = PublishedPorts(name, $"the {model.ServiceName(name)} service of {ComposeFileName(resource.Project)}", node, expressions);
        if (ports.Count > 0)
        {
            service["ports"] = ports;
        }

        if (options.ReadOnlyRootFileSystem)
        {
            service["read_only"] = true;
        }

        if (options.Tmpfs.Count > 0)
        {
            service["tmpfs"] = options.Tmpfs;
        }

        if (resource.Mounts.Count > 0)
        {
            foreach (var hostPath in resource.Mounts.Select(mount => mount.HostPath).OfType<ComposeVariable>())
            {
                expressions.Use(hostPath);
            }

            service["volumes"] = resource.Mounts.Select(mount => mount.ToCompose()).ToList();
        }

        if (options.HealthCheck is { } check)
        {
            service["healthcheck"] = HealthCheck(check);
        }

        if (DependsOn(name, resource, model) is { Count: > 0 } dependsOn)
        {
            service["depends_on"] = dependsOn;
        }

        service["logging"] = LogRotation;
        service["restart"] = "unless-stopped";
        return service;
    }

    /// <summary>Docker keeps a container's output until the container is removed; this bounds it (30 MB per service).</summary>
    private static readonly Dictionary<string, object> LogRotation = new()
    {
        ["driver"] = "json-file",
        ["options"] = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" },
    };

    /// <summary>An image built from this repository, one tag variable per service (each can be pinned to its own release).</summary>
    internal static string ProjectImage(string name, string buildProject, ManifestExpressions expressions)
    {
        var tag = new ComposeVariable($"{EnvName(name)}_TAG", $"Image tag of the {name} service (each service can be pinned to its own release).", "latest");
        expressions.Use(Registry);
        expressions.Use(tag);
        return $"{Registry.Reference}/{buildProject.Replace('.', '-').ToLowerInvariant()}:{tag.Reference}";
    }

    /// <summary>
    /// Start order within the compose project: the services the model waits for (never one in a profile, which may be
    /// absent), and the service's data owner, which must have finished.
    /// </summary>
    private static SortedDictionary<string, object>? DependsOn(string name, ComposeResource resource, ComposeModel model)
    {
        var dependsOn = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var dependency in resource.DependsOn.Distinct())
        {
            if (model.Resources.TryGetValue(dependency, out var other) && other.Project == resource.Project && other.Options.Profiles.Count == 0)
            {
                dependsOn[model.ServiceName(dependency)] = new Dictionary<string, string> { ["condition"] = "service_started" };
            }
        }

        if (resource.Options.OwnsItsMounts)
        {
            dependsOn[DataOwner.ServiceName(model.ServiceName(name))] = new Dictionary<string, string> { ["condition"] = "service_completed_successfully" };
        }

        return dependsOn;
    }

    private static Dictionary<string, object> HealthCheck(ComposeHealthCheck check)
    {
        var healthCheck = new Dictionary<string, object>();
        if (check.Test.Count > 0)
        {
            healthCheck["test"] = check.Test;
        }

        healthCheck["interval"] = check.Interval;
        healthCheck["timeout"] = check.Timeout;
        healthCheck["retries"] = check.Retries;
        healthCheck["start_period"] = check.StartPeriod;
        return healthCheck;
    }

    /// <summary>
    /// Only bindings the model marks external are published, and on a host address from <c>.env</c> (loopback by
    /// default: the edge proxy in front of the bastion is the only client it needs); everything else stays internal.
    /// </summary>
    private static List<string> PublishedPorts(string name, string service, JsonElement node, ManifestExpressions expressions)
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
            var address = expressions.Use(new ComposeVariable(
                $"{EnvName(name)}_HOST_ADDRESS",
                $"Host address the port of {service} is published on: 127.0.0.1 for an edge proxy on this host; the docker bridge's address (172.17.0.1) or 0.0.0.0 for one in a container (behind a firewall).",
                "127.0.0.1"));
            var variable = expressions.Use(new ComposeVariable(
                $"{EnvName(name)}_HOST_PORT", $"Host port of {service} (the only port its compose project publishes).", $"{hostPort}"));
            ports.Add($"{address.Reference}:{variable.Reference}:{targetPort}");
        }

        return ports;
    }

    private static void AppendVariables(
        StringBuilder envExample, string fileName, IEnumerable<(string Profile, string Service)> profiles, IEnumerable<ComposeVariable> variables)
    {
        envExample.AppendLine().AppendLine($"# --- {fileName}");
        var byProfile = profiles.GroupBy(entry => entry.Profile).OrderBy(group => group.Key, StringComparer.Ordinal).ToList();
        if (byProfile.Count > 0)
        {
            foreach (var profile in byProfile)
            {
                envExample.AppendLine($"# Profile {profile.Key} starts {string.Join(", ", profile.Select(entry => entry.Service).Order(StringComparer.Ordinal))}; leave it out of COMPOSE_PROFILES to not start it.");
            }

            envExample.AppendLine($"COMPOSE_PROFILES={string.Join(',', byProfile.Select(profile => profile.Key))}");
        }

        foreach (var variable in variables
            .OrderBy(variable => !(variable.Required || variable.Prompted))
            .ThenBy(variable => variable.Name, StringComparer.Ordinal))
        {
            envExample.AppendLine($"# {variable.Description}").AppendLine(variable.ExampleLine);
        }
    }

    public static string EnvName(string name) =>
        new([.. name.Select(character => char.IsAsciiLetterOrDigit(character) ? char.ToUpperInvariant(character) : '_')]);

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .DisableAliases()
        .WithQuotingNecessaryStrings()
        .Build();
}
