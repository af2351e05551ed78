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
                services[serviceName] = ComposeServices.Service(name, manifestResources.GetProperty(name), resource, model, expressions);
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
                .SelectMany(entry => entry.Value.Options.Profiles.Select(profile => (Profile: profile, Service: model.ServiceName(entry.Key), entry.Value.Options.OptIn)));
            AppendVariables(envExample, fileName, profiles, expressions.UsedVariables.Where(variable => listed.Add(variable.Name)));
        }

        files[EnvExampleFileName] = envExample.ToString();
        return files;
    }

    private static void AppendVariables(
        StringBuilder envExample, string fileName, IEnumerable<(string Profile, string Service, bool OptIn)> profiles, IEnumerable<ComposeVariable> variables)
    {
        envExample.AppendLine().AppendLine($"# --- {fileName}");
        var byProfile = profiles.GroupBy(entry => entry.Profile).OrderBy(group => group.Key, StringComparer.Ordinal).ToList();
        if (byProfile.Count > 0)
        {
            foreach (var profile in byProfile)
            {
                var services = string.Join(", ", profile.Select(entry => entry.Service).Order(StringComparer.Ordinal));
                envExample.AppendLine(profile.All(entry => entry.OptIn)
                    ? $"# Profile {profile.Key} starts {services}; add it to COMPOSE_PROFILES once its settings below are set."
                    : $"# Profile {profile.Key} starts {services}; leave it out of COMPOSE_PROFILES to not start it.");
            }

            var enabled = byProfile.Where(profile => !profile.All(entry => entry.OptIn)).Select(profile => profile.Key);
            envExample.AppendLine($"COMPOSE_PROFILES={string.Join(',', enabled)}");
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
