using System.Text.RegularExpressions;

namespace Peregrine.Backup;

/// <summary>
/// What a Peregrine backup may contain, in upstream's zip layout: config files by name,
/// <c>config/integrations/*.yaml</c>, the DB and the manifest. Export and restore both read this one list.
/// </summary>
public static partial class BackupLayout
{
    public const string ManifestName = "backup-manifest.json";

    /// <summary>The DB's name in our exports (upstream's cloud layout).</summary>
    public const string DatabaseEntry = "staging.db";

    /// <summary>Upstream's local Docker layout; restored to the same canonical DB path.</summary>
    public const string LegacyDatabaseEntry = "data/staging.db";

    /// <summary>Restoring this in cloud would let a user override the platform's inference config (upstream [BUG]).</summary>
    public const string PlatformOwnedConfig = "config/llm.yaml";

    /// <summary>Upstream's order: the credential-bearing configs first, then the others.</summary>
    public static readonly IReadOnlyList<string> ConfigFiles =
    [
        "config/notion.yaml", "config/tokens.yaml", "config/email.yaml", "config/adzuna.yaml",
        "config/craigslist.yaml", "config/user.yaml", "config/plain_text_resume.yaml", "config/license.json",
        "config/user.yaml.working",
        "config/llm.yaml", "config/search_profiles.yaml", "config/resume_keywords.yaml",
        "config/skills_suggestions.yaml", "config/blocklist.yaml", "config/server.yaml",
    ];

    public static bool IsDatabase(string entryName) => entryName is DatabaseEntry or LegacyDatabaseEntry;

    public static bool IsConfig(string entryName) =>
        ConfigFiles.Contains(entryName) || IntegrationConfig().IsMatch(entryName);

    /// <summary>The config files of <paramref name="appDirectory"/> that exist, as zip entry names, in upstream's order.</summary>
    public static IEnumerable<string> ExistingConfigs(string appDirectory)
    {
        foreach (var name in ConfigFiles.Where(n => File.Exists(Path.Combine(appDirectory, n))))
        {
            yield return name;
        }

        var integrations = Path.Combine(appDirectory, "config", "integrations");
        if (Directory.Exists(integrations))
        {
            foreach (var file in Directory.GetFiles(integrations, "*.yaml").Order(StringComparer.Ordinal))
            {
                var name = $"config/integrations/{Path.GetFileName(file)}";
                if (IntegrationConfig().IsMatch(name))
                {
                    yield return name;
                }
            }
        }
    }

    [GeneratedRegex(@"^config/integrations/[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\.yaml$")]
    private static partial Regex IntegrationConfig();
}
