using Peregrine.Backup;

namespace Peregrine.Web;

/// <summary>What each file of a backup is, in words (the Data page lists them; people do not read file names).</summary>
internal static class BackupEntryLabels
{
    private static readonly Dictionary<string, string> Labels = new(StringComparer.Ordinal)
    {
        [BackupLayout.DatabaseEntry] = "Your jobs, letters and application history",
        [BackupLayout.LegacyDatabaseEntry] = "Your jobs, letters and application history",
        [BackupLayout.ManifestName] = "What the backup holds (its description)",
        ["config/user.yaml"] = "Your profile",
        ["config/user.yaml.working"] = "An unsaved draft of your profile",
        ["config/plain_text_resume.yaml"] = "Your résumé",
        ["config/resume_keywords.yaml"] = "The skills and keywords jobs are matched on",
        ["config/search_profiles.yaml"] = "Your search preferences",
        ["config/blocklist.yaml"] = "Companies, industries and places you never want to see",
        ["config/skills_suggestions.yaml"] = "Suggested skills",
        ["config/llm.yaml"] = "AI settings",
        ["config/email.yaml"] = "E-mail settings",
        ["config/notion.yaml"] = "Notion connection",
        ["config/tokens.yaml"] = "Connection tokens",
        ["config/adzuna.yaml"] = "Adzuna account",
        ["config/craigslist.yaml"] = "Craigslist settings",
        ["config/license.json"] = "Licence",
        ["config/server.yaml"] = "Server settings",
    };

    public static string Describe(string entry) =>
        Labels.TryGetValue(entry, out var label) ? label
        : entry.StartsWith("config/integrations/", StringComparison.Ordinal) ? $"Connection to {Path.GetFileNameWithoutExtension(entry)}"
        : "Another file (not used by Peregrine)";
}
