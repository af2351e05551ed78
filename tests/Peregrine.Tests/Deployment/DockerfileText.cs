using System.Text.RegularExpressions;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// The repository's one Dockerfile as instructions: comments dropped, <c>\</c> continuations joined, grouped by stage.
/// Enough of the format to check it without a Docker engine (the deploy layer builds it for real).
/// </summary>
public sealed partial class DockerfileText
{
    public const string RepositoryPath = "Dockerfile";

    public sealed record Instruction(string Keyword, string Arguments);

    public sealed record Stage(string From, IReadOnlyList<Instruction> Instructions)
    {
        public IEnumerable<string> ArgumentsOf(string keyword) =>
            Instructions.Where(instruction => instruction.Keyword == keyword).Select(instruction => instruction.Arguments);
    }

    private DockerfileText(IReadOnlyDictionary<string, string> globalArguments, IReadOnlyList<Stage> stages)
    {
        GlobalArguments = globalArguments;
        Stages = stages;
    }

    /// <summary>The ARGs before the first FROM (the only ones a FROM line can use), with their defaults.</summary>
    public IReadOnlyDictionary<string, string> GlobalArguments { get; }

    /// <summary>The stages, their FROM lines with the global ARGs' defaults filled in (what a plain build uses).</summary>
    public IReadOnlyList<Stage> Stages { get; }

    public Stage StageFrom(string imagePrefix) =>
        Stages.Single(stage => stage.From.StartsWith(imagePrefix, StringComparison.Ordinal));

    public static DockerfileText Load()
    {
        var globalArguments = new Dictionary<string, string>(StringComparer.Ordinal);
        var stages = new List<Stage>();
        List<Instruction>? current = null;
        foreach (var instruction in Instructions(File.ReadAllLines(Repository.Path(RepositoryPath))))
        {
            if (instruction.Keyword == "FROM")
            {
                current = [];
                var from = globalArguments.Aggregate(instruction.Arguments, (text, argument) => Expand(text, argument.Key, argument.Value));
                stages.Add(new Stage(from, current));
            }
            else if (current is null)
            {
                if (instruction.Keyword != "ARG")
                {
                    throw new InvalidOperationException($"{instruction.Keyword} before the first FROM");
                }

                var (name, value) = (instruction.Arguments.Split('=', 2)[0], instruction.Arguments.Split('=', 2).ElementAtOrDefault(1) ?? string.Empty);
                globalArguments[name] = value;
            }
            else
            {
                current.Add(instruction);
            }
        }

        return new DockerfileText(globalArguments, stages);
    }

    /// <summary>Replaces <c>$NAME</c> and <c>${NAME}</c> as the build does.</summary>
    public static string Expand(string text, string name, string value) =>
        text.Replace($"${{{name}}}", value, StringComparison.Ordinal).Replace($"${name}", value, StringComparison.Ordinal);

    /// <summary>Whether <paramref name="text"/> refers to the variable <paramref name="name"/>.</summary>
    public static bool Uses(string text, string name) =>
        Regex.IsMatch(text, $@"\$(\{{{Regex.Escape(name)}\}}|{Regex.Escape(name)}\b)");

    /// <summary>The <c>KEY=value</c> pairs of an <c>ENV</c> instruction (values without spaces, optionally quoted).</summary>
    public static IEnumerable<KeyValuePair<string, string>> EnvironmentOf(string arguments) =>
        EnvPair().Matches(arguments).Select(match => KeyValuePair.Create(match.Groups[1].Value, match.Groups[2].Value.Trim('"')));

    private static IEnumerable<Instruction> Instructions(IEnumerable<string> lines)
    {
        var pending = string.Empty;
        foreach (var line in lines.Select(line => line.Trim()).Where(line => line.Length > 0 && !line.StartsWith('#')))
        {
            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var whole = pending + line;
            pending = string.Empty;
            var space = whole.IndexOf(' ', StringComparison.Ordinal);
            yield return new Instruction(whole[..space].ToUpperInvariant(), whole[(space + 1)..].Trim());
        }
    }

    [GeneratedRegex("""([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|\S+)""")]
    private static partial Regex EnvPair();
}
