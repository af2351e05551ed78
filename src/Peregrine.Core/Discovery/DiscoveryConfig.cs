using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Peregrine.Discovery;

/// <summary>Upstream's optional <c>blocklist.yaml</c> <c>{companies, industries, locations}</c>, matched case-insensitively by substring.</summary>
public sealed record Blocklist(IReadOnlyList<string> Companies, IReadOnlyList<string> Industries, IReadOnlyList<string> Locations)
{
    public static readonly Blocklist None = new([], [], []);

    public bool Blocks(BoardListing job) =>
        Companies.Any(c => Contains(job.Company, c)) || Locations.Any(l => Contains(job.Location, l));

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
