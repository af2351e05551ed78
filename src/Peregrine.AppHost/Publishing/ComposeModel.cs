namespace Peregrine.AppHost.Publishing;

/// <summary>A variable an operator sets in <c>.env</c>; secrets never get a value in <c>.env.example</c>.</summary>
/// <param name="Required">Compose refuses to run without it (<c>:?</c>); otherwise it falls back to its default, or empty.</param>
/// <param name="Prompted">Listed uncommented in <c>.env.example</c>, to fill in, though compose runs without it.</param>
public sealed record ComposeVariable(
    string Name, string Description, string? DefaultValue = null, bool Secret = false, bool Required = false, bool Prompted = false)
{
    public string Reference => Required
        ? $"${{{Name}:?set {Name} in .env}}"
        : $"${{{Name}:-{DefaultValue}}}";

    /// <summary>The line of <c>.env.example</c>: one to fill in, or the default commented out.</summary>
    public string ExampleLine => Required || Prompted
        ? $"{Name}={(Secret ? string.Empty : DefaultValue)}"
        : $"# {Name}={(Secret ? string.Empty : DefaultValue)}";
}

/// <summary>A mount of a compose service: a named volume or a host path (a variable's folder, or a folder inside it).</summary>
public sealed record ComposeMount(string Source, string Target, bool ReadOnly, bool IsNamedVolume, ComposeVariable? HostPath = null, string HostSubPath = "")
{
    public string ToCompose() => (HostPath is null ? Source : HostPath.Reference + HostSubPath) + ":" + Target + (ReadOnly ? ":ro" : string.Empty);
}

/// <summary>What the manifest does not say about a resource, taken from the application model.</summary>
/// <param name="BuildProject">For projects: the project name the shared Dockerfile builds (its <c>PROJECT</c> argument).</param>
public sealed record ComposeResource(
    string Project,
    IReadOnlyList<ComposeMount> Mounts,
    IReadOnlyList<string> DependsOn,
    string? BuildProject = null,
    ComposeServiceSettings? Settings = null)
{
    public ComposeServiceSettings Options => Settings ?? new ComposeServiceSettings();
}

/// <summary>The model-side input of <see cref="ComposeConverter"/>.</summary>
/// <param name="Resources">By resource name; resources not listed here (parameters, values, databases) are not services.</param>
/// <param name="Parameters">By parameter resource name.</param>
public sealed record ComposeModel(
    IReadOnlyDictionary<string, ComposeResource> Resources, IReadOnlyDictionary<string, ComposeVariable> Parameters)
{
    /// <summary>The compose service a resource becomes (its own name unless the model renames it, e.g. the runbook's <c>app</c>).</summary>
    public string ServiceName(string resourceName) =>
        Resources.TryGetValue(resourceName, out var resource) && resource.Options.ServiceName is { } name ? name : resourceName;
}
