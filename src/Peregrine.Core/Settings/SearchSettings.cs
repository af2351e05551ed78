using Peregrine.Sessions;
using Peregrine.Yaml;

namespace Peregrine.Settings;

/// <summary>
/// Settings → Search over <c>config/search_profiles.yaml</c> in the format discovery reads: <c>profiles: [{name,
/// titles, locations, boards, custom_boards, exclude_keywords, remote_preference, …}]</c>. Upstream's endpoint wrote a
/// <c>default:</c> key discovery never read [BUG]; here the API's flat shape edits the profile named <c>default</c>
/// inside <c>profiles:</c>, and the page edits the whole list.
/// </summary>
public static class SearchSettings
{
    public const string DefaultProfile = "default";
    public const int MaxProfiles = 20;
    public const int MaxItems = 100;
    public static readonly IReadOnlySet<string> RemotePreferences = new HashSet<string>(StringComparer.Ordinal) { "remote", "onsite", "both" };

    public static SearchPreferences Read(UserContext user)
    {
        var profile = Profiles(user).FirstOrDefault(p => p.Text("name") == DefaultProfile) ?? [];
        var titles = profile.TextList("titles");
        return new SearchPreferences(
            RemotePreference: profile.Text("remote_preference") ?? "both",
            JobTitles: titles.Count > 0 ? titles : profile.TextList("job_titles"),
            Locations: profile.TextList("locations"),
            ExcludeKeywords: profile.TextList("exclude_keywords"),
            JobBoards: profile.TextList("boards"),
            CustomBoardUrls: profile.TextList("custom_boards"));
    }

    public static string? Validate(SearchPreferences search)
    {
        if (search.RemotePreference is { } remote && !RemotePreferences.Contains(remote))
        {
            return $"remote_preference must be one of {string.Join(", ", RemotePreferences)}.";
        }

        IReadOnlyList<string>?[] lists = [search.JobTitles, search.Locations, search.ExcludeKeywords, search.JobBoards, search.CustomBoardUrls];
        return lists.Any(l => l?.Count > MaxItems || l?.Any(i => i is null || i.Length > ProfileSettings.MaxShortText) == true)
            ? $"Each list holds at most {MaxItems} entries of at most {ProfileSettings.MaxShortText} characters."
            : null;
    }

    public static void Write(UserContext user, SearchPreferences search)
    {
        var profiles = Profiles(user);
        var profile = profiles.FirstOrDefault(p => p.Text("name") == DefaultProfile);
        if (profile is null)
        {
            profile = new Dictionary<string, object?> { ["name"] = DefaultProfile };
            profiles.Insert(0, profile);
        }

        profile["titles"] = Trimmed(search.JobTitles);
        profile.Remove("job_titles");
        profile["locations"] = Trimmed(search.Locations);
        profile["exclude_keywords"] = Trimmed(search.ExcludeKeywords);
        profile["boards"] = Trimmed(search.JobBoards);
        profile["custom_boards"] = Trimmed(search.CustomBoardUrls);
        profile["remote_preference"] = search.RemotePreference ?? "both";
        WriteProfiles(user, profiles);
    }

    /// <summary>The file as the page edits it: the <c>profiles:</c> list as YAML text.</summary>
    public static string ReadYaml(UserContext user)
    {
        var profiles = Profiles(user);
        return profiles.Count == 0
            ? string.Empty
            : UserConfigFiles.Serialize(new Dictionary<string, object?> { ["profiles"] = profiles }, UserConfigFiles.SearchProfilesYaml);
    }

    /// <summary>Checks text typed on the page and saves it; the problem in words, or null when saved.</summary>
    public static string? WriteYaml(UserContext user, string yaml)
    {
        Dictionary<string, object?> document;
        try
        {
            document = UserConfigFiles.ParseMapping(ProfileSettings.Clean(yaml), UserConfigFiles.SearchProfilesYaml);
        }
        catch (InvalidYamlException e)
        {
            return $"{e.Message}. Nothing was saved.";
        }

        if (!document.TryGetValue("profiles", out var value) || value is not List<object?> list)
        {
            return "Write a YAML mapping with a profiles: list, e.g. profiles: [{name: default, titles: [Engineer], locations: [Remote]}].";
        }

        if (list.Count is 0 or > MaxProfiles)
        {
            return $"Between 1 and {MaxProfiles} profiles.";
        }

        var profiles = new List<Dictionary<string, object?>>();
        foreach (var item in list)
        {
            if (item is not IDictionary<object, object?> map || map.Keys.Any(k => k is not string))
            {
                return "Each profile must be a mapping (name: …, titles: […], …).";
            }

            var profile = map.ToDictionary(p => (string)p.Key, p => p.Value);
            if (string.IsNullOrWhiteSpace(profile.Text("name")))
            {
                return "Each profile needs a name.";
            }

            if (profile.TextList("titles").Count == 0 && profile.TextList("job_titles").Count == 0)
            {
                return $"Profile '{profile.Text("name")}' needs at least one title in titles: [...].";
            }

            if (profile.Text("remote_preference") is { } remote && !RemotePreferences.Contains(remote))
            {
                return $"remote_preference must be one of {string.Join(", ", RemotePreferences)}.";
            }

            profiles.Add(profile);
        }

        try
        {
            WriteProfiles(user, profiles);
            return null;
        }
        catch (InvalidYamlException e)
        {
            return $"{e.Message}. Nothing was saved.";
        }
    }

    private static List<Dictionary<string, object?>> Profiles(UserContext user) =>
        UserConfigFiles.Read(user, UserConfigFiles.SearchProfilesYaml).TryGetValue("profiles", out var value) && value is List<object?> list
            ? [.. list.OfType<IDictionary<object, object?>>().Select(m => m.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => p.Value))]
            : [];

    private static void WriteProfiles(UserContext user, List<Dictionary<string, object?>> profiles)
    {
        var file = UserConfigFiles.Read(user, UserConfigFiles.SearchProfilesYaml);
        file.Remove(DefaultProfile);
        file["profiles"] = profiles;
        UserConfigFiles.Write(user, UserConfigFiles.SearchProfilesYaml, file);
    }

    private static List<string> Trimmed(IReadOnlyList<string>? items) =>
        [.. (items ?? []).Select(i => i.Trim()).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal)];
}

public sealed record SearchPreferences(
    string? RemotePreference,
    IReadOnlyList<string>? JobTitles,
    IReadOnlyList<string>? Locations,
    IReadOnlyList<string>? ExcludeKeywords,
    IReadOnlyList<string>? JobBoards,
    IReadOnlyList<string>? CustomBoardUrls);
