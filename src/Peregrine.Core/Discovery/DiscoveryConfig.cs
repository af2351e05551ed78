using Peregrine.Matching;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Peregrine.Discovery;

/// <summary>
/// Upstream's optional <c>blocklist.yaml</c> <c>{companies, industries, locations}</c>. Companies and locations match
/// case-insensitively by substring, as upstream. Boards publish no industry field, so an industry matches as whole
/// words (as the match score matches terms) in the listing's department, title or description: "gambling" drops a
/// listing of a gambling company's board, not one that says "gamblingly" (upstream read industries but ignored them).
/// </summary>
public sealed record Blocklist(IReadOnlyList<string> Companies, IReadOnlyList<string> Industries, IReadOnlyList<string> Locations)
{
    public static readonly Blocklist None = new([], [], []);

    public bool Blocks(BoardListing job) =>
        Companies.Any(c => Contains(job.Company, c)) || Locations.Any(l => Contains(job.Location, l)) || InBlockedIndustry(job);

    private bool InBlockedIndustry(BoardListing job)
    {
        if (Industries.Count == 0)
        {
            return false;
        }

        var words = MatchScorer.Words($"{job.Department}\n{job.Title}\n{job.Description}");
        return Industries.Any(industry => MatchScorer.Occurs(words, MatchScorer.Words(industry)));
    }

    private static bool Contains(string? text, string part) => text?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;
}

/// <summary><c>config/resume_keywords.yaml</c> <c>{skills, domains, keywords}</c>: what a listing is scored against.</summary>
public sealed record ResumeKeywords(IReadOnlyList<string> Skills, IReadOnlyList<string> Domains, IReadOnlyList<string> Keywords)
{
    public static readonly ResumeKeywords None = new([], [], []);
}

/// <summary>The two smaller config files discovery reads beside the profiles; same safe YAML reading, missing file = empty.</summary>
public static class DiscoveryConfig
{
    public const string BlocklistFile = "blocklist.yaml";
    public const string KeywordsFile = "resume_keywords.yaml";

    public static Blocklist LoadBlocklist(string configDirectory) =>
        Read<Lists>(configDirectory, BlocklistFile) is { } lists
            ? new Blocklist(Clean(lists.Companies), Clean(lists.Industries), Clean(lists.Locations))
            : Blocklist.None;

    public static ResumeKeywords LoadKeywords(string configDirectory) =>
        Read<Lists>(configDirectory, KeywordsFile) is { } lists
            ? new ResumeKeywords(Clean(lists.Skills), Clean(lists.Domains), Clean(lists.Keywords))
            : ResumeKeywords.None;

    private static T? Read<T>(string configDirectory, string name)
        where T : class
    {
        var path = Path.Combine(configDirectory, name);
        return File.Exists(path) ? SearchProfiles.Read<T>(SearchProfiles.ReadFile(path, name), name, Deserializer) : null;
    }

    private static string[] Clean(List<string?>? values) =>
        [.. (values ?? []).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase).Take(500)];

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    private sealed class Lists
    {
        public List<string?>? Companies { get; set; }

        public List<string?>? Industries { get; set; }

        public List<string?>? Locations { get; set; }

        public List<string?>? Skills { get; set; }

        public List<string?>? Domains { get; set; }

        public List<string?>? Keywords { get; set; }
    }
}
