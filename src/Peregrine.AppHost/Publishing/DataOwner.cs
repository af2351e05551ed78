namespace Peregrine.AppHost.Publishing;

/// <summary>
/// The one-shot service that runs before an app and gives the app's writable mounts to the image's unprivileged user:
/// owner <see cref="ComposeConverter.AppUser"/> and no group or other access, for everything not already so. A fresh
/// host's data root is root's, and a tree an install outside containers left has other owners and modes; the app
/// itself never runs as root to fix them. It runs the app's base image (which has sh and find, and is present wherever
/// the app was built), as root with only the capabilities chown and chmod need, and without a network.
/// </summary>
internal static class DataOwner
{
    /// <summary>Finds only what is wrong, so a start on a settled tree changes nothing (one stat per file).</summary>
    private const string Script = """
        set -eu
        for dir in "$@"; do
          find "$dir" -xdev \( ! -user ${OWNER%:*} -o ! -group ${OWNER#*:} \) -exec chown -h "$OWNER" {} +
          find "$dir" -xdev ! -type l -perm /077 -exec chmod go-rwx {} +
          echo "$dir: owned by $OWNER, owner-only"
        done
        """;

    // Compose interpolates $ in every value; $$ is a literal $ for the shell.
    private static string ComposeText(string script) =>
        script.Replace("\r", string.Empty, StringComparison.Ordinal).Replace("$", "$$", StringComparison.Ordinal);

    public static string ServiceName(string serviceName) => $"{serviceName}-data-owner";

    public static Dictionary<string, object> Service(ComposeResource resource, ManifestExpressions expressions)
    {
        var writable = resource.Mounts.Where(mount => !mount.ReadOnly).ToList();
        var aspnet = expressions.Use(ComposeConverter.BaseImages.Single(image => image.Name == "ASPNET_IMAGE"));
        return new Dictionary<string, object>
        {
            ["image"] = aspnet.Reference,
            // A name, not 0:0, which YAML 1.1 (docker-compose v1) reads as a number.
            ["user"] = "root",
            ["entrypoint"] = (List<string>)["/bin/sh", "-c", ComposeText(Script), "data-owner", .. writable.Select(mount => mount.Target)],
            ["environment"] = new Dictionary<string, string> { ["OWNER"] = ComposeConverter.AppUser },
            ["network_mode"] = "none",
            ["read_only"] = true,
            ["cap_drop"] = new List<string> { "ALL" },
            ["cap_add"] = new List<string> { "CHOWN", "DAC_OVERRIDE", "FOWNER" },
            ["volumes"] = writable.Select(mount => mount.ToCompose()).ToList(),
        };
    }
}
