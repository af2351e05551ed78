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
public sealed record ComposeHostMountAnnotation(ComposeVariable HostPath, string Target) : IResourceAnnotation;

/// <summary>
/// The open-file limit of a service's container (compose <c>ulimits: nofile</c>, soft = hard). The API sizes its pool of
/// open user DBs from this limit (3 files per DB, a quarter kept for sockets), so it is part of the model, not a default.
/// </summary>
public sealed record ComposeOpenFileLimitAnnotation(int Limit) : IResourceAnnotation;

/// <summary>Files the deployment mounts (the bastion's config directory), written by publish at these repo paths.</summary>
public sealed record GeneratedFilesAnnotation(IReadOnlyDictionary<string, string> ContentByRepositoryPath) : IResourceAnnotation;

public static class ComposeAnnotationExtensions
{
    public static IResourceBuilder<T> InComposeProject<T>(this IResourceBuilder<T> builder, string project)
        where T : IResource => builder.WithAnnotation(new ComposeProjectAnnotation(project));

    /// <summary>The container port a project listens on in a deployment (compose: the port other services use).</summary>
    public static IResourceBuilder<ProjectResource> WithContainerPort(this IResourceBuilder<ProjectResource> builder, int port) =>
        builder.WithEndpoint("http", endpoint => endpoint.TargetPort = port);

    public static IResourceBuilder<ProjectResource> WithComposeHostMount(
        this IResourceBuilder<ProjectResource> builder, ComposeVariable hostPath, string target) =>
        builder.WithAnnotation(new ComposeHostMountAnnotation(hostPath, target));

    public static IResourceBuilder<ProjectResource> WithComposeOpenFileLimit(this IResourceBuilder<ProjectResource> builder, int limit) =>
        builder.WithAnnotation(new ComposeOpenFileLimitAnnotation(limit));

    public static IResourceBuilder<ProjectResource> WithComposeVolume(
        this IResourceBuilder<ProjectResource> builder, string volumeName, string target) =>
        builder.WithAnnotation(new ContainerMountAnnotation(volumeName, target, ContainerMountType.Volume, isReadOnly: false));
}
