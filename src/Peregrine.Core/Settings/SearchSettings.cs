using System.Text.Json;
using System.Text.Json.Serialization;
using Peregrine.Discovery;
using Peregrine.Sessions;
using Peregrine.Yaml;

namespace Peregrine.Settings;

/// <summary>
/// Settings → Search as a form, over the files discovery reads: the search in <c>config/search_profiles.yaml</c>
/// (<c>profiles: [...]</c>; the form edits the one named <c>default</c>, else the first, and keeps the others) and the
/// blocklist in <c>config/blocklist.yaml</c>. Upstream's endpoint wrote a <c>default:</c> key discovery never read and
/// had no blocklist file [BUG]; here the API's flat shape (upstream's, with <c>blocklist_*</c>) and the page write the
/// same two files. Every save is checked by the parser discovery itself uses, so a saved search always runs.
/// </summary>
public static class SearchSettings
{
    public const string DefaultProfile = "default";
    public const string BlocklistFile = DiscoveryConfig.BlocklistFile;
    public const int MaxItems = SearchProfiles.MaxListItems;
    public const int DefaultResultsPerBoard = 25;
    public const int DefaultHoursOld = 72;
    public static readonly IReadOnlySet<string> RemotePreferences = new HashSet<string>(StringComparer.Ordinal) { "remote", "onsite", "both" };

    public static SearchPreferences Read(UserContext user)
    {
        var profiles = Profiles(user);
        var profile = Edited(profiles) ?? [];
        var titles = profile.TextList("titles");
        var blocklist = UserConfigFiles.Read(user, BlocklistFile);
        return new SearchPreferences(
            RemotePreference: profile.Text("remote_preference") ?? "both",
            JobTitles: titles.Count > 0 ? titles : profile.TextList("job_titles"),
            Locations: profile.TextList("locations"),
            ExcludeKeywords: profile.TextList("exclude_keywords"),
            JobBoards: [.. profile.TextList("boards").Select(b => new BoardChoice(b, true))],
            CustomBoardUrls: profile.TextList("custom_boards"),
            ResultsPerBoard: Number(profile.Text("results_per_board")) ?? DefaultResultsPerBoard,
            HoursOld: Number(profile.Text("hours_old")) ?? DefaultHoursOld,
            BlocklistCompanies: blocklist.TextList("companies"),
            BlocklistIndustries: blocklist.TextList("industries"),
            BlocklistLocations: blocklist.TextList("locations"));
    }

    /// <summary>How many searches the file holds besides the one the form edits (the page says so).</summary>
    public static IReadOnlyList<string> OtherSearches(UserContext user)
    {
        var profiles = Profiles(user);
        var edited = Edited(profiles);
        return [.. profiles.Where(p => !ReferenceEquals(p, edited)).Select(p => p.Text("name") ?? "unnamed")];
    }

    /// <summary>The first problem, in words a person can act on; null when the search can be saved and run.</summary>
    public static string? Validate(SearchPreferences search)
    {
        if (search.RemotePreference is { } remote && !RemotePreferences.Contains(remote))
        {
            return "Choose remote only, on-site only, or both.";
        }

        IReadOnlyList<string>?[] lists =
        [
            search.JobTitles, search.Locations, search.ExcludeKeywords, search.CustomBoardUrls,
            search.BlocklistCompanies, search.BlocklistIndustries, search.BlocklistLocations,
            search.JobBoards?.Select(b => b.Name ?? string.Empty).ToList(),
        ];
        if (lists.Any(l => l?.Count > MaxItems || l?.Any(i => i is null || i.Length > ProfileSettings.MaxShortText) == true))
        {
            return $"Each list holds at most {MaxItems} entries of at most {ProfileSettings.MaxShortText} characters.";
        }

        if (search.ResultsPerBoard is < 1 or > 500)
        {
            return "Results per board must be between 1 and 500.";
        }

        if (search.HoursOld is < 0 or > 24 * 365)
        {
            return "The maximum age must be between 0 (any age) and 8,760 hours (a year).";
        }

        var unknown = (search.JobBoards ?? []).Select(b => SearchBoards.Normalise(b.Name ?? string.Empty))
            .FirstOrDefault(b => SearchProfiles.ParseBoard(b) is null && !SearchProfiles.UnsupportedUpstreamBoards.Contains(b.ToLowerInvariant()));
        return unknown is not null
            ? $"“{unknown}” is not a board Peregrine can read: use Greenhouse, Lever or Ashby with the company's name on it (for example greenhouse:acme)."
            : null;
    }

    public static void Write(UserContext user, SearchPreferences search)
    {
        var profiles = Profiles(user);
        var profile = Edited(profiles);
        if (profile is null)
        {
            profile = new Dictionary<string, object?> { ["name"] = DefaultProfile };
            profiles.Insert(0, profile);
        }

        profile["titles"] = Trimmed(search.JobTitles);
        profile.Remove("job_titles");
        profile["locations"] = Trimmed(search.Locations);
        profile["exclude_keywords"] = Trimmed(search.ExcludeKeywords);
        profile["boards"] = Trimmed(search.JobBoards?.Where(b => b.Enabled != false).Select(b => SearchBoards.Normalise(b.Name ?? string.Empty)).ToList());
        profile["custom_boards"] = Trimmed(search.CustomBoardUrls);
        profile["remote_preference"] = search.RemotePreference ?? "both";
        profile["results_per_board"] = search.ResultsPerBoard ?? DefaultResultsPerBoard;
        profile["hours_old"] = search.HoursOld ?? DefaultHoursOld;
        WriteProfiles(user, profiles);

        var blocklist = UserConfigFiles.Read(user, BlocklistFile);
        blocklist["companies"] = Trimmed(search.BlocklistCompanies);
        blocklist["industries"] = Trimmed(search.BlocklistIndustries);
        blocklist["locations"] = Trimmed(search.BlocklistLocations);
        UserConfigFiles.Write(user, BlocklistFile, blocklist);
    }

    /// <summary>Both files as one YAML document for power users: <c>profiles:</c> as discovery reads it, plus <c>blocklist:</c>.</summary>
    public static string Export(UserContext user)
    {
        var blocklist = UserConfigFiles.Read(user, BlocklistFile);
        return UserConfigFiles.Serialize(new Dictionary<string, object?>
        {
            ["profiles"] = Profiles(user),
            ["blocklist"] = new Dictionary<string, object?>
            {
                ["companies"] = blocklist.TextList("companies"),
                ["industries"] = blocklist.TextList("industries"),
                ["locations"] = blocklist.TextList("locations"),
            },
        }, UserConfigFiles.SearchProfilesYaml);
    }

    /// <summary>
    /// Replaces the searches (and the blocklist, when the text has one) with YAML a power user pasted: read through the
    /// guarded loader, then checked by discovery's own parser. The problem in words (nothing saved), or null when saved.
    /// </summary>
    public static string? Import(UserContext user, string yaml)
    {
        var text = ProfileSettings.Clean(yaml);
        Dictionary<string, object?> document;
        try
        {
            document = UserConfigFiles.ParseMapping(text, UserConfigFiles.SearchProfilesYaml);
        }
        catch (InvalidYamlException e)
        {
            return $"{e.Message}. Nothing was saved.";
        }

        if (!document.TryGetValue("profiles", out var value) || value is not List<object?> list || list.Count == 0)
        {
            return "Write a profiles: list, e.g. profiles: [{name: default, titles: [Engineer], boards: [greenhouse:acme]}]. Nothing was saved.";
        }

        if (SearchProfiles.Validate(text) is [var problem, ..])
        {
            return $"{problem}. Nothing was saved.";
        }

        var profiles = list.OfType<IDictionary<object, object?>>().Select(m => m.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => p.Value)).ToList();
        if (profiles.Count != list.Count)
        {
            return "Each profile must be a mapping (name: …, titles: […], …). Nothing was saved.";
        }

        try
        {
            WriteProfiles(user, profiles);
            if (document.TryGetValue("blocklist", out var blocked) && blocked is IDictionary<object, object?> lists)
            {
                var blocklist = lists.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => p.Value);
                UserConfigFiles.Write(user, BlocklistFile, new Dictionary<string, object?>
                {
                    ["companies"] = blocklist.TextList("companies"),
                    ["industries"] = blocklist.TextList("industries"),
                    ["locations"] = blocklist.TextList("locations"),
                });
            }

            return null;
        }
        catch (InvalidYamlException e)
        {
            return $"{e.Message}. Nothing was saved.";
        }
    }

    /// <summary>The profile the form edits: the one named "default", else the first.</summary>
    private static Dictionary<string, object?>? Edited(List<Dictionary<string, object?>> profiles) =>
        profiles.FirstOrDefault(p => p.Text("name") == DefaultProfile) ?? profiles.FirstOrDefault();

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

    private static List<string> Trimmed(IEnumerable<string>? items) =>
        [.. (items ?? []).Select(i => i.Trim()).Where(i => i.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase)];

    private static int? Number(string? text) => int.TryParse(text, out var value) ? value : null;
}

/// <summary>
/// A board in upstream's search shape, <c>{name, enabled}</c>. A plain string (<c>"greenhouse:acme"</c>) is read as an
/// enabled board too, so both upstream's SPA and simpler clients can send their form.
/// </summary>
[JsonConverter(typeof(BoardChoiceConverter))]
public sealed record BoardChoice(string? Name, bool? Enabled);

internal sealed class BoardChoiceConverter : JsonConverter<BoardChoice>
{
    public override BoardChoice? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return new BoardChoice(reader.GetString(), true);
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A board is a string or {name, enabled}.");
        }

        string? name = null;
        bool? enabled = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var property = reader.GetString();
            reader.Read();
            switch (property)
            {
                case "name" when reader.TokenType is JsonTokenType.String or JsonTokenType.Null:
                    name = reader.GetString();
                    break;
                case "enabled" when reader.TokenType is JsonTokenType.True or JsonTokenType.False:
                    enabled = reader.GetBoolean();
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return new BoardChoice(name, enabled);
    }

    public override void Write(Utf8JsonWriter writer, BoardChoice value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString("name", value.Name);
        writer.WriteBoolean("enabled", value.Enabled != false);
        writer.WriteEndObject();
    }
}

public sealed record SearchPreferences(
    string? RemotePreference,
    IReadOnlyList<string>? JobTitles,
    IReadOnlyList<string>? Locations,
    IReadOnlyList<string>? ExcludeKeywords,
    IReadOnlyList<BoardChoice>? JobBoards,
    IReadOnlyList<string>? CustomBoardUrls,
    int? ResultsPerBoard = null,
    int? HoursOld = null,
    IReadOnlyList<string>? BlocklistCompanies = null,
    IReadOnlyList<string>? BlocklistIndustries = null,
    IReadOnlyList<string>? BlocklistLocations = null);
