namespace Peregrine.AppHost.Publishing;

/// <summary>A variable an operator sets in <c>.env</c>; secrets never get a value in <c>.env.example</c>.</summary>
public sealed record ComposeVariable(string Name, string Description, string? DefaultValue = null, bool Secret = false)
{
    /// <summary>How compose files refer to it: a secret must be set, anything else falls back to its default.</summary>
    public string Reference => Secret
        ? $"${{{Name}:?set {Name} in .env}}"
        : DefaultValue is null ? $"${{{Name}}}" : $"${{{Name}:-{DefaultValue}}}";
}

/// <summary>A mount of a compose service: a named volume or a host path.</summary>
public sealed record ComposeMount(string Source, string Target, bool ReadOnly, bool IsNamedVolume, ComposeVariable? HostPath = null)
{
    public string ToCompose() => (HostPath?.Reference ?? Source) + ":" + Target + (ReadOnly ? ":ro" : string.Empty);
}

/// <summary>What the manifest does not say about a resource, taken from the application model.</summary>
/// <param name="BuildProject">For projects: the project name the shared Dockerfile builds (its <c>PROJECT</c> argument).</param>
/// <param name="OpenFileLimit">The container's <c>nofile</c> ulimit, when the model sets one.</param>
public sealed record ComposeResource(
    string Project, IReadOnlyList<ComposeMount> Mounts, IReadOnlyList<string> DependsOn, string? BuildProject = null, int? OpenFileLimit = null);

/// <summary>The model-side input of <see cref="ComposeConverter"/>.</summary>
/// <param name="Resources">By resource name; resources not listed here (parameters, values, databases) are not services.</param>
/// <param name="Parameters">By parameter resource name.</param>
public sealed record ComposeModel(
    IReadOnlyDictionary<string, ComposeResource> Resources, IReadOnlyDictionary<string, ComposeVariable> Parameters);
