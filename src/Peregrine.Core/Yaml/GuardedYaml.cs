using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Peregrine.Yaml;

/// <summary>YAML that cannot be used, with the reason in words (and its line when known), never the parser's types.</summary>
public sealed class InvalidYamlException(string message) : Exception(message);

/// <summary>
/// The one way YAML a user supplied is read and written: settings forms and endpoints, every <c>config/*.yaml</c> of a
/// user's tree, résumés, a local <c>llm.yaml</c>, and config files arriving by restore. A text is checked before anything
/// builds a tree from it, by streaming the parser's events (the parser keeps its own stack, so depth costs it no call
/// stack):
/// <list type="bullet">
/// <item>no anchors or aliases: 404 bytes of them expanded into a 62 MB file and 1.1 GB of memory;</item>
/// <item>at most <see cref="MaxDepth"/> levels: the document model and the deserialiser recurse once per level, and
/// 10,000 levels (a 20 KB form value) overflowed the stack, which ends the process for every tenant;</item>
/// <item>at most <see cref="MaxBytes"/>, checked before a file is read; one document; no tags but YAML's own.</item>
/// </list>
/// What is written passes the same check, so everything saved can be read back.
/// </summary>
public static class GuardedYaml
{
    public const int MaxDepth = 64;
    public const int MaxBytes = 256 * 1024;

    private const string CoreTagPrefix = "tag:yaml.org,2002:";
    private static readonly HashSet<string> CoreTags = ["str", "int", "float", "bool", "null", "seq", "map"];

    private static readonly IDeserializer PlainObjects = new DeserializerBuilder().Build();
    // The serialiser's recursion limit (50 by default) sits below what may be read; it stays a limit, well above ours.
    private static readonly ISerializer Writer = new SerializerBuilder().DisableAliases().WithMaximumRecursion(4 * MaxDepth).Build();

    /// <summary>Why <paramref name="text"/> cannot be used (<c>line 3: …</c>), or null when it can.</summary>
    public static string? Problem(string text)
    {
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return $"is larger than {MaxBytes / 1024} KB";
        }

        try
        {
            var parser = new Parser(new StringReader(text));
            int depth = 0, documents = 0;
            while (parser.MoveNext())
            {
                var current = parser.Current!;
                if (current is AnchorAlias || current is NodeEvent { Anchor.IsEmpty: false })
                {
                    return At(current.Start, "anchors and aliases are not supported");
                }

                if (current is NodeEvent { Tag.IsEmpty: false, Tag.IsNonSpecific: false } tagged && !IsCoreTag(tagged.Tag.Value))
                {
                    return At(current.Start, $"tags such as {tagged.Tag.Value} are not supported");
                }

                if (current is DocumentStart && ++documents > 1)
                {
                    return At(current.Start, "only one YAML document is supported");
                }

                if (current is MappingStart or SequenceStart && ++depth > MaxDepth)
                {
                    return At(current.Start, $"nests more than {MaxDepth} levels deep");
                }

                if (current is MappingEnd or SequenceEnd)
                {
                    depth--;
                }
            }

            return null;
        }
        catch (YamlException e)
        {
            return At(e.Start, Reason(e));
        }
    }

    /// <summary>Throws <see cref="InvalidYamlException"/> (its message starting with <paramref name="name"/>) unless <paramref name="text"/> passes.</summary>
    public static void Check(string text, string name)
    {
        if (Problem(text) is { } problem)
        {
            throw new InvalidYamlException($"{name} {problem}");
        }
    }

    /// <summary>The text of a file, refused by its size before a byte of it is read.</summary>
    public static string ReadFile(string path, string name)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        if (stream.Length > MaxBytes)
        {
            throw new InvalidYamlException($"{name} is larger than {MaxBytes / 1024} KB");
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    /// <summary>Checked, then deserialised by <paramref name="deserializer"/> (plain objects when none is given).</summary>
    public static T? Deserialize<T>(string text, string name, IDeserializer? deserializer = null)
    {
        Check(text, name);
        return Parsed(name, () => (deserializer ?? PlainObjects).Deserialize<T?>(text));
    }

    /// <summary>
    /// A top-level mapping with its keys as strings (nested values are YamlDotNet's plain objects: object-keyed maps,
    /// lists, string scalars); an empty text is an empty mapping, anything but a mapping is refused.
    /// </summary>
    public static Dictionary<string, object?> DeserializeMapping(string text, string name) => Deserialize<object>(text, name) switch
    {
        null => [],
        IDictionary<object, object?> map => map.ToDictionary(p => p.Key?.ToString() ?? string.Empty, p => p.Value),
        _ => throw new InvalidYamlException($"{name} must be a YAML mapping (key: value lines)"),
    };

    /// <summary>The document's root node (null for an empty text), for readers that walk the tree.</summary>
    public static YamlNode? Load(string text, string name)
    {
        Check(text, name);
        return Parsed(name, () =>
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            return stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        });
    }

    /// <summary>YAML text of <paramref name="content"/>, refused (like any text read) before it is written anywhere.</summary>
    public static string Serialize(object content, string name)
    {
        string text;
        try
        {
            text = Writer.Serialize(content);
        }
        catch (YamlException)
        {
            // The serialiser's own recursion limit: the content is deeper than anything we may write.
            throw new InvalidYamlException($"{name} nests more than {MaxDepth} levels deep");
        }

        Check(text, name);
        return text;
    }

    private static T Parsed<T>(string name, Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (YamlException e)
        {
            throw new InvalidYamlException($"{name} {At(e.Start, Reason(e))}");
        }
    }

    private static bool IsCoreTag(string tag) =>
        tag.StartsWith(CoreTagPrefix, StringComparison.Ordinal) && CoreTags.Contains(tag[CoreTagPrefix.Length..]);

    private static string At(Mark start, string reason) => $"line {start.Line}: {reason}";

    /// <summary>The parser's message without its position prefix and its type names: only the first sentence a person reads.</summary>
    private static string Reason(YamlException e)
    {
        var message = e.InnerException switch
        {
            YamlException inner => inner.Message,
            // A value the target type cannot take (text where a number belongs); the runtime's own words name types.
            not null => "a value has the wrong type (text where a number or a list belongs, or the other way round)",
            null => e.Message,
        };
        message = message.Split('\n')[0].Trim();
        var position = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && position > 0)
        {
            message = message[(position + 3)..];
        }

        return message.Length == 0 ? "is not valid YAML" : char.ToLowerInvariant(message[0]) + message[1..].TrimEnd('.');
    }
}
