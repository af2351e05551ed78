using System.Text;
using Peregrine.Sessions;
using Peregrine.Yaml;
using YamlDotNet.RepresentationModel;

namespace Peregrine.Ai;

/// <summary>
/// The person a prompt speaks for, read from <em>this</em> user's <c>config/user.yaml</c> and
/// <c>config/plain_text_resume.yaml</c> (upstream's keys) on every use. Upstream once wrote cloud letters with the
/// global profile, i.e. another user's name and voice; a missing file here means an empty profile, never someone else's.
/// </summary>
public sealed record CandidateProfile(
    string Name, string CareerSummary, string CandidateVoice, IReadOnlyDictionary<string, string> MissionPreferences, string Resume)
{
    public const int MaxResumeChars = 6000;

    public static CandidateProfile Load(UserContext user)
    {
        var profile = ReadYaml(Path.Combine(user.ConfigDirectory, "user.yaml")) as YamlMappingNode;
        var resume = ReadYaml(Path.Combine(user.ConfigDirectory, "plain_text_resume.yaml"));
        return new CandidateProfile(
            Scalar(profile, "name"),
            Scalar(profile, "career_summary"),
            Scalar(profile, "candidate_voice"),
            Missions(profile),
            resume is null ? string.Empty : Flatten(resume, MaxResumeChars));
    }

    private static YamlNode? ReadYaml(string path)
    {
        try
        {
            return GuardedYaml.Load(GuardedYaml.ReadFile(path, Path.GetFileName(path)), Path.GetFileName(path));
        }
        catch (Exception e) when (e is InvalidYamlException or IOException)
        {
            // A missing or unusable file (broken, hostile) degrades the prompt; it must not fail the task with a parser's text.
            return null;
        }
    }

    private static string Scalar(YamlMappingNode? map, string key) =>
        map is not null && map.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar
            ? scalar.Value?.Trim() ?? string.Empty
            : string.Empty;

    /// <summary>user.yaml keeps them as a map from industry to a note; an empty note is no preference.</summary>
    private static Dictionary<string, string> Missions(YamlMappingNode? map)
    {
        var missions = new Dictionary<string, string>(StringComparer.Ordinal);
        if (map is not null && map.Children.TryGetValue(new YamlScalarNode("mission_preferences"), out var node) && node is YamlMappingNode entries)
        {
            foreach (var (industry, note) in entries.Children)
            {
                if (industry is YamlScalarNode { Value: { } name } && note is YamlScalarNode { Value: { Length: > 0 } text })
                {
                    missions[name] = text.Trim();
                }
            }
        }

        return missions;
    }

    /// <summary>The résumé as indented "key: value" lines, the way a model reads YAML best, cut at a budget.</summary>
    private static string Flatten(YamlNode root, int budget)
    {
        var text = new StringBuilder();
        void Walk(YamlNode node, string indent)
        {
            if (text.Length > budget)
            {
                return;
            }

            switch (node)
            {
                case YamlScalarNode scalar:
                    text.Append(indent).AppendLine(scalar.Value);
                    break;
                case YamlSequenceNode sequence:
                    foreach (var item in sequence.Children)
                    {
                        Walk(item, indent + "- ");
                    }

                    break;
                case YamlMappingNode mapping:
                    foreach (var (key, value) in mapping.Children)
                    {
                        if (value is YamlScalarNode leaf)
                        {
                            text.Append(indent).Append(key).Append(": ").AppendLine(leaf.Value);
                        }
                        else
                        {
                            text.Append(indent).Append(key).AppendLine(":");
                            Walk(value, indent.Replace("- ", "  ", StringComparison.Ordinal) + "  ");
                        }
                    }

                    break;
            }
        }

        Walk(root, string.Empty);
        return text.Length > budget ? text.ToString(0, budget) : text.ToString();
    }
}
