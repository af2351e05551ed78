namespace Peregrine.AppHost.Publishing;

/// <summary>Collects from the application model what the manifest leaves out: compose project, mounts, start order.</summary>
public static class ComposeModelReader
{
    public static ComposeModel Read(DistributedApplicationModel model, string repositoryRoot)
    {
        var resources = new Dictionary<string, ComposeResource>(StringComparer.Ordinal);
        foreach (var resource in model.Resources.Where(resource => resource is ContainerResource or ProjectResource))
        {
            var project = resource.Annotations.OfType<ComposeProjectAnnotation>().LastOrDefault()?.Project ?? ComposeProjectAnnotation.Cloud;
            resources[resource.Name] = new ComposeResource(
                project,
                [.. Mounts(resource, repositoryRoot)],
                [.. resource.Annotations.OfType<WaitAnnotation>().Select(wait => ServiceOf(wait.Resource).Name)],
                resource is ProjectResource projectResource ? BuildProject(projectResource, repositoryRoot) : null,
                resource.Annotations.OfType<ComposeServiceSettings>().LastOrDefault());
        }

        var parameters = model.Resources.OfType<ParameterResource>().ToDictionary(
            parameter => parameter.Name, Variable, StringComparer.Ordinal);
        return new ComposeModel(resources, parameters);
    }

    /// <summary>A parameter as a <c>.env</c> variable: secrets are required unless the model says they are optional.</summary>
    private static ComposeVariable Variable(ParameterResource parameter)
    {
        var settings = parameter.Annotations.OfType<ComposeVariableAnnotation>().LastOrDefault() ?? new ComposeVariableAnnotation();
        return new ComposeVariable(
            settings.Name ?? ComposeConverter.EnvName(parameter.Name),
            parameter.Description ?? $"Value of the {parameter.Name} parameter.",
            // A constant default the model publishes (never a secret's, never a generated one) is the .env default.
            settings.DefaultValue ?? (parameter is { Secret: false, Default: { } constant and not GenerateParameterDefault } ? constant.GetDefaultValue() : null),
            parameter.Secret,
            settings.Required ?? parameter.Secret,
            settings.Prompted);
    }

    private static IEnumerable<ComposeMount> Mounts(IResource resource, string repositoryRoot)
    {
        foreach (var mount in resource.Annotations.OfType<ContainerMountAnnotation>())
        {
            yield return mount.Type == ContainerMountType.Volume
                ? new ComposeMount(mount.Source!, mount.Target, mount.IsReadOnly, IsNamedVolume: true)
                : new ComposeMount(RepositoryRelative(mount.Source!, repositoryRoot), mount.Target, mount.IsReadOnly, IsNamedVolume: false);
        }

        foreach (var mount in resource.Annotations.OfType<ComposeHostMountAnnotation>())
        {
            yield return new ComposeMount(mount.HostPath.Name + mount.SubPath, mount.Target, ReadOnly: false, IsNamedVolume: false, mount.HostPath, mount.SubPath);
        }
    }

    /// <summary>A database resource is served by its server's container: compose waits for the server.</summary>
    private static IResource ServiceOf(IResource resource) =>
        resource is IResourceWithParent child ? ServiceOf(child.Parent) : resource;

    /// <summary>
    /// Every project builds from the one Dockerfile, which finds it at <c>src/&lt;name&gt;/&lt;name&gt;.csproj</c>; a
    /// project laid out otherwise would only fail at <c>docker build</c>, so publish refuses it now.
    /// </summary>
    private static string BuildProject(ProjectResource project, string repositoryRoot)
    {
        var projectPath = project.GetProjectMetadata().ProjectPath;
        var name = Path.GetFileNameWithoutExtension(projectPath);
        var expected = $"./src/{name}/{name}.csproj";
        return RepositoryRelative(projectPath, repositoryRoot) == expected
            ? name
            : throw new InvalidOperationException($"{project.Name}: {ComposeConverter.Dockerfile} builds {expected}, not {projectPath}");
    }

    /// <summary>Compose resolves relative paths against the compose file, which sits at the repository root.</summary>
    private static string RepositoryRelative(string path, string repositoryRoot) =>
        "./" + Path.GetRelativePath(repositoryRoot, path).Replace('\\', '/');
}
