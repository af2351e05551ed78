namespace Peregrine.AppHost.Publishing;

/// <summary>Which compose file a resource goes to; resources without it belong to <see cref="Cloud"/>.</summary>
public sealed record ComposeProjectAnnotation(string Project) : IResourceAnnotation
{
    public const string Cloud = "cloud";
    public const string Demo = "demo";
}

/// <summary>
/// A host folder bind-mounted into a project's container. Aspire mounts only containers, and the host path is the
/// operator's choice, so it is a variable of <c>.env</c> with a default.
/// </summary>
/// <param name="SubPath">A folder inside the variable's (e.g. <c>/.data-protection</c>), or empty for the folder itself.</param>
public sealed record ComposeHostMountAnnotation(ComposeVariable HostPath, string Target, string SubPath = "") : IResourceAnnotation;

/// <summary>Files the deployment mounts (the bastion's config directory), written by publish at these repo paths.</summary>
public sealed record GeneratedFilesAnnotation(IReadOnlyDictionary<string, string> ContentByRepositoryPath) : IResourceAnnotation;

/// <summary>How a parameter appears in <c>.env</c> when that differs from its Aspire defaults (name, default, optional).</summary>
/// <param name="Name">The variable's name; default: the parameter's name in upper case.</param>
/// <param name="Required">Compose refuses to run without it. Secrets are required unless this says otherwise.</param>
public sealed record ComposeVariableAnnotation(string? Name = null, string? DefaultValue = null, bool? Required = null, bool Prompted = false)
    : IResourceAnnotation;

/// <summary>A compose health check; Docker marks the service healthy after its first success.</summary>
public sealed record ComposeHealthCheck(IReadOnlyList<string> Test, string Interval = "10s", string Timeout = "5s", int Retries = 3, string StartPeriod = "30s")
{
    /// <summary>Turns off the image's own check (for a service of the image that is not the app it probes).</summary>
    public static ComposeHealthCheck None { get; } = new(["NONE"]);

    public bool Disabled => Test is ["NONE"];
}

/// <summary>What compose says about a service beyond the manifest, set in the model with <c>WithComposeSettings</c>.</summary>
public sealed record ComposeServiceSettings : IResourceAnnotation
{
    /// <summary>The compose service name when it is not the resource's (the runbook's commands name <c>app</c>).</summary>
    public string? ServiceName { get; init; }

    /// <summary>A fixed container name, for commands that address the container itself (<c>docker exec cf-platform-db</c>).</summary>
    public string? ContainerName { get; init; }

    /// <summary>
    /// Compose profiles: the service starts only when <c>COMPOSE_PROFILES</c> names one. Nothing may depend on it, since
    /// it may be absent.
    /// </summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>
    /// The profiles are opt-in: <c>.env.example</c>'s <c>COMPOSE_PROFILES</c> leaves them out, because the service needs
    /// settings the operator adds first (a stack made from the example then starts without it).
    /// </summary>
    public bool OptIn { get; init; }

    /// <summary>
    /// For projects: run the image another resource builds (same image and tag variable, no build of its own), so one
    /// <c>build app</c> updates both and compose never builds the same image twice.
    /// </summary>
    public string? ImageOf { get; init; }

    /// <summary>Start only once the services it waits for are healthy (compose <c>service_healthy</c>), not just started.</summary>
    public bool WaitsUntilHealthy { get; init; }

    /// <summary>For containers: the variable holding the image, defaulting to the model's image (a local mirror may replace it).</summary>
    public string? ImageVariable { get; init; }

    public bool ReadOnlyRootFileSystem { get; init; }

    public IReadOnlyList<string> Tmpfs { get; init; } = [];

    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    /// <summary>Only the timing when the image has its own test (compose keeps the image's command).</summary>
    public ComposeHealthCheck? HealthCheck { get; init; }

    /// <summary>Environment entries that are plain <c>.env</c> variables (not model parameters), e.g. a host path for messages.</summary>
    public IReadOnlyDictionary<string, ComposeVariable> Environment { get; init; } = new Dictionary<string, ComposeVariable>();

    /// <summary>
    /// Run a one-shot init service before this one that gives every writable mount to the image's unprivileged user
    /// (owner and owner-only mode), so a fresh host's root-owned folder, or a tree an install outside containers left,
    /// works without a manual step. The service itself never runs as root.
    /// </summary>
    public bool OwnsItsMounts { get; init; }

    /// <summary>
    /// The container's open-file limit (compose <c>ulimits: nofile</c>, soft = hard). The API sizes its pool of open user
    /// DBs from this limit (3 files per DB, a quarter kept for sockets), so it is part of the model, not a default.
    /// </summary>
    public int? OpenFileLimit { get; init; }
}

public static class ComposeAnnotationExtensions
{
    public static IResourceBuilder<T> InComposeProject<T>(this IResourceBuilder<T> builder, string project)
        where T : IResource => builder.WithAnnotation(new ComposeProjectAnnotation(project));

    /// <summary>Edits the resource's compose settings (each call starts from the previous ones).</summary>
    public static IResourceBuilder<T> WithComposeSettings<T>(this IResourceBuilder<T> builder, Func<ComposeServiceSettings, ComposeServiceSettings> edit)
        where T : IResource
    {
        var current = builder.Resource.Annotations.OfType<ComposeServiceSettings>().LastOrDefault() ?? new ComposeServiceSettings();
        return builder.WithAnnotation(edit(current), ResourceAnnotationMutationBehavior.Replace);
    }

    public static IResourceBuilder<ParameterResource> WithComposeVariable(
        this IResourceBuilder<ParameterResource> builder, string? name = null, string? defaultValue = null, bool? required = null, bool prompted = false) =>
        builder.WithAnnotation(new ComposeVariableAnnotation(name, defaultValue, required, prompted), ResourceAnnotationMutationBehavior.Replace);

    /// <summary>The container port a project listens on in a deployment (compose: the port other services use).</summary>
    public static IResourceBuilder<ProjectResource> WithContainerPort(this IResourceBuilder<ProjectResource> builder, int port) =>
        builder.WithEndpoint("http", endpoint => endpoint.TargetPort = port);

    public static IResourceBuilder<ProjectResource> WithComposeHostMount(
        this IResourceBuilder<ProjectResource> builder, ComposeVariable hostPath, string target, string subPath = "") =>
        builder.WithAnnotation(new ComposeHostMountAnnotation(hostPath, target, subPath));

    public static IResourceBuilder<ProjectResource> WithComposeOpenFileLimit(this IResourceBuilder<ProjectResource> builder, int limit) =>
        builder.WithComposeSettings(settings => settings with { OpenFileLimit = limit });

    public static IResourceBuilder<ProjectResource> WithComposeVolume(
        this IResourceBuilder<ProjectResource> builder, string volumeName, string target) =>
        builder.WithAnnotation(new ContainerMountAnnotation(volumeName, target, ContainerMountType.Volume, isReadOnly: false));
}
