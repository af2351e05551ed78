using System.Text.Json;

namespace Peregrine.AppHost.Publishing;

/// <summary>
/// One compose service from a manifest resource and what the model adds: image or build, names, environment, ports,
/// mounts, health check, start order, open-file limit, log rotation, restart policy.
/// </summary>
internal static class ComposeServices
{
    public static Dictionary<string, object> Service(
        string name, JsonElement node, ComposeResource resource, ComposeModel model, ManifestExpressions expressions)
    {
        var options = resource.Options;
        var service = new Dictionary<string, object>();
        if (options.ImageOf is { } imageSource)
        {
            service["image"] = ProjectImage(imageSource, model.Resources[imageSource].BuildProject!, expressions);
        }
        else if (resource.BuildProject is { } buildProject)
        {
            service["image"] = ProjectImage(name, buildProject, expressions);
            var arguments = new SortedDictionary<string, string>(StringComparer.Ordinal) { [ComposeConverter.ProjectBuildArgument] = buildProject };
            foreach (var baseImage in ComposeConverter.BaseImages)
            {
                expressions.Use(baseImage);
                arguments[baseImage.Name] = baseImage.Reference;
            }

            service["build"] = new Dictionary<string, object> { ["context"] = ".", ["dockerfile"] = ComposeConverter.Dockerfile, ["args"] = arguments };
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

        var ports = PublishedPorts(name, $"the {model.ServiceName(name)} service of {ComposeConverter.ComposeFileName(resource.Project)}", node, expressions);
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

        if (options.OpenFileLimit is { } limit)
        {
            // A variable with the model's value as default: an engine may only grant up to its own hard limit (dockerd
            // started by hand inherits the shell's, e.g. 20,000), and above it the container does not start at all.
            // Services of one image (an app's shards) share the variable, as they share the image's tag.
            var limitOf = options.ImageOf ?? name;
            var openFiles = expressions.Use(new ComposeVariable(
                $"{ComposeConverter.EnvName(limitOf)}_OPEN_FILE_LIMIT",
                $"Open-file limit of the {model.ServiceName(limitOf)} service (it sizes its pool of open user DBs); at most the Docker engine's own hard limit (cat /proc/$(pidof dockerd)/limits).",
                $"{limit}")).Reference;
            service["ulimits"] = new Dictionary<string, object>
            {
                ["nofile"] = new Dictionary<string, string> { ["soft"] = openFiles, ["hard"] = openFiles },
            };
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
        var tag = new ComposeVariable($"{ComposeConverter.EnvName(name)}_TAG", $"Image tag of the {name} service (each service can be pinned to its own release).", "latest");
        expressions.Use(ComposeConverter.Registry);
        expressions.Use(tag);
        return $"{ComposeConverter.Registry.Reference}/{buildProject.Replace('.', '-').ToLowerInvariant()}:{tag.Reference}";
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
                dependsOn[model.ServiceName(dependency)] = new Dictionary<string, string>
                {
                    ["condition"] = resource.Options.WaitsUntilHealthy ? "service_healthy" : "service_started",
                };
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
        if (check.Disabled)
        {
            return new Dictionary<string, object> { ["disable"] = true };
        }

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
                $"{ComposeConverter.EnvName(name)}_HOST_ADDRESS",
                $"Host address the port of {service} is published on: 127.0.0.1 for an edge proxy on this host; the docker bridge's address (172.17.0.1) or 0.0.0.0 for one in a container (behind a firewall).",
                "127.0.0.1"));
            var variable = expressions.Use(new ComposeVariable(
                $"{ComposeConverter.EnvName(name)}_HOST_PORT", $"Host port of {service} (the only port its compose project publishes).", $"{hostPort}"));
            ports.Add($"{address.Reference}:{variable.Reference}:{targetPort}");
        }

        return ports;
    }
}
