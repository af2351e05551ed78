using Peregrine.Yaml;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Peregrine.Discovery;

/// <summary>One search of upstream's <c>search_profiles.yaml</c>, normalised (defaults applied, lists never null).</summary>
public sealed record SearchProfile(
    string Name,
    IReadOnlyList<string> Titles,
    IReadOnlyList<string> Locations,
    IReadOnlyList<BoardRef> Boards,
    IReadOnlyList<string> ExcludeKeywords,
    int ResultsPerBoard,
    int HoursOld,
    string RemotePreference);

/// <summary>A public job board: <c>greenhouse:acme</c> → (<c>greenhouse</c>, <c>acme</c>).</summary>
public sealed record BoardRef(string Kind, string Token)
{
    public override string ToString() => $"{Kind}:{Token}";
}

/// <summary>A search-profile file that cannot be used, with a message naming the problem (and its line when known).</summary>
public sealed class SearchProfilesException(string message) : Exception(message);

/// <summary>
/// Reads and validates <c>config/search_profiles.yaml</c> in upstream's format: <c>profiles: [{name, titles | job_titles,
/// locations, boards, exclude_keywords, results_per_board, hours_old, remote_preference}]</c>. A <c>default:</c> mapping
/// (what upstream's settings page writes) counts as one more profile named "default", so settings saved there are
/// searched (upstream's discovery ignored them). Boards are <c>greenhouse:&lt;token&gt;</c>, <c>lever:&lt;site&gt;</c> or
/// <c>ashby:&lt;board&gt;</c>; upstream's scraped boards (<c>linkedin</c>, <c>indeed</c>, …) are accepted and skipped.
/// YAML goes through <see cref="GuardedYaml"/> into plain DTOs: no tags, no anchors or aliases (no alias bombs), bounded
/// depth and size.
/// </summary>
public static class SearchProfiles
{
    public const string FileName = "search_profiles.yaml";
    public const int MaxFileBytes = GuardedYaml.MaxBytes;
    public const int MaxProfiles = 20;
    public const int MaxListItems = 100;
    public static readonly IReadOnlyList<string> BoardKinds = ["greenhouse", "lever", "ashby"];
    public static readonly IReadOnlyList<string> RemotePreferences = ["remote", "onsite", "both"];

    /// <summary>Upstream's JobSpy and custom boards: valid in a file, not searched here (they need scraping or credentials).</summary>
    public static readonly IReadOnlyList<string> UnsupportedUpstreamBoards =
        ["linkedin", "indeed", "glassdoor", "zip_recruiter", "google", "adzuna", "theladders", "craigslist"];

    /// <summary>Parses and validates; throws <see cref="SearchProfilesException"/> for anything unusable.</summary>
    public static IReadOnlyList<SearchProfile> Parse(string yaml)
    {
        var file = Read<ProfilesFile>(yaml, FileName, Deserializer);

        var dtos = (file?.Profiles ?? []).Concat(file?.Default is { } d ? [d with { Name = d.Name ?? "default" }] : []).ToList();
        if (dtos.Count > MaxProfiles)
        {
            throw new SearchProfilesException($"{FileName}: at most {MaxProfiles} profiles");
        }

        return [.. dtos.Select((dto, i) => Normalise(dto, i))];
    }

    /// <summary>The problems of <paramref name="yaml"/> (empty when it is valid), for an endpoint that validates on write.</summary>
    public static IReadOnlyList<string> Validate(string yaml)
    {
        try
        {
            Parse(yaml);
            return [];
        }
        catch (SearchProfilesException e)
        {
            return [e.Message];
        }
    }

    /// <summary>The profiles of a config directory; none when the file does not exist.</summary>
    public static IReadOnlyList<SearchProfile> Load(string configDirectory)
    {
        var path = Path.Combine(configDirectory, FileName);
        return File.Exists(path) ? Parse(ReadFile(path, FileName)) : [];
    }

    private static SearchProfile Normalise(ProfileDto dto, int index)
    {
        var name = string.IsNullOrWhiteSpace(dto.Name) ? $"profile {index + 1}" : dto.Name.Trim();
        string Where(string field) => $"{FileName}: profile '{name}': {field}";
        var titles = List(dto.Titles ?? dto.JobTitles, Where("titles"));
        if (titles.Count == 0)
        {
            throw new SearchProfilesException(Where("needs at least one title (titles or job_titles)"));
        }

        var locations = List(dto.Locations ?? (dto.Location is { } one ? [one] : null), Where("locations"));
        var boards = new List<BoardRef>();
        foreach (var entry in List(dto.Boards ?? dto.JobBoards, Where("boards")).Concat(List(dto.CustomBoards, Where("custom_boards"))))
        {
            if (ParseBoard(entry) is { } board)
            {
                boards.Add(board);
            }
            else if (!UnsupportedUpstreamBoards.Contains(entry.ToLowerInvariant()))
            {
                throw new SearchProfilesException(Where($"board '{entry}' is not greenhouse:<token>, lever:<site> or ashby:<board>"));
            }
        }

        var remote = (dto.RemotePreference ?? "both").Trim().ToLowerInvariant();
        if (!RemotePreferences.Contains(remote))
        {
            throw new SearchProfilesException(Where($"remote_preference must be remote, onsite or both, not '{dto.RemotePreference}'"));
        }

        var perBoard = dto.ResultsPerBoard ?? 25;
        var hoursOld = dto.HoursOld ?? 72;
        if (perBoard is < 1 or > 500 || hoursOld is < 0 or > 24 * 365)
        {
            throw new SearchProfilesException(Where("results_per_board must be 1–500 and hours_old 0–8760"));
        }

        return new SearchProfile(name, titles, locations, boards, List(dto.ExcludeKeywords, Where("exclude_keywords")), perBoard, hoursOld, remote);
    }

    /// <summary><c>kind:token</c> with a known kind and a token that can only be one URL path segment.</summary>
    public static BoardRef? ParseBoard(string entry)
    {
        var parts = entry.Trim().Split(':', 2);
        if (parts.Length != 2 || !BoardKinds.Contains(parts[0].ToLowerInvariant()))
        {
            return null;
        }

        var token = parts[1].Trim();
        var valid = token.Length is > 0 and <= 100 && char.IsAsciiLetterOrDigit(token[0])
            && token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
        return valid ? new BoardRef(parts[0].ToLowerInvariant(), token) : null;
    }

    private static List<string> List(List<string?>? values, string where)
    {
        var items = (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return items.Count > MaxListItems ? throw new SearchProfilesException($"{where}: at most {MaxListItems} entries") : items;
    }

    /// <summary>A config file's text through the guarded loader (size checked before reading), or its problem.</summary>
    internal static string ReadFile(string path, string fileName)
    {
        try
        {
            return GuardedYaml.ReadFile(path, fileName);
        }
        catch (InvalidYamlException e)
        {
            throw new SearchProfilesException(e.Message);
        }
    }

    /// <summary>Checked by the guarded loader (no anchors or aliases, bounded depth and size), then deserialised into DTOs.</summary>
    internal static T? Read<T>(string yaml, string fileName, IDeserializer deserializer)
    {
        try
        {
            return GuardedYaml.Deserialize<T>(yaml, fileName, deserializer);
        }
        catch (InvalidYamlException e)
        {
            throw new SearchProfilesException(e.Message);
        }
    }

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private sealed record ProfilesFile
    {
        public List<ProfileDto>? Profiles { get; set; }

        public ProfileDto? Default { get; set; }
    }

    private sealed record ProfileDto
    {
        public string? Name { get; set; }

        public List<string?>? Titles { get; set; }

        public List<string?>? JobTitles { get; set; }

        public List<string?>? Locations { get; set; }

        public string? Location { get; set; }

        public List<string?>? Boards { get; set; }

        public List<string?>? JobBoards { get; set; }

        public List<string?>? CustomBoards { get; set; }

        public List<string?>? ExcludeKeywords { get; set; }

        public int? ResultsPerBoard { get; set; }

        public int? HoursOld { get; set; }

        public string? RemotePreference { get; set; }
    }
}
