using Peregrine.Sessions;
using Peregrine.Storage;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Peregrine.Settings;

/// <summary>
/// The user's YAML files in <c>config/</c> (user.yaml, search_profiles.yaml, plain_text_resume.yaml). Only the fixed
/// file names below are ever opened, so no request can name a path. A write replaces the whole file atomically (temp
/// file, fsync, rename) with owner-only permissions; a missing or unreadable file reads as empty, never as another's.
/// </summary>
public static class UserConfigFiles
{
    public const string UserYaml = "user.yaml";
    public const string SearchProfilesYaml = "search_profiles.yaml";
    public const string ResumeYaml = "plain_text_resume.yaml";

    private static readonly IDeserializer Reader = new DeserializerBuilder().Build();
    private static readonly ISerializer Writer = new SerializerBuilder().DisableAliases().Build();

    public static bool Exists(UserContext user, string file) => File.Exists(PathOf(user, file));

    /// <summary>The file's top-level mapping (keys as strings); empty when the file is missing or is not a mapping.</summary>
    public static Dictionary<string, object?> Read(UserContext user, string file) =>
        // A hand-edited file that no longer parses reads as empty rather than failing every settings page.
        TryRead(user, file, out var map) ? map : [];

    /// <summary>As <see cref="Read"/>, but false (and an empty map) when the file exists and is not valid YAML.</summary>
    public static bool TryRead(UserContext user, string file, out Dictionary<string, object?> map)
    {
        map = [];
        var path = PathOf(user, file);
        if (!File.Exists(path))
        {
            return true;
        }

        try
        {
            var parsed = Reader.Deserialize<Dictionary<object, object?>?>(File.ReadAllText(path));
            map = parsed?.ToDictionary(p => p.Key.ToString() ?? string.Empty, p => p.Value) ?? [];
            return true;
        }
        catch (YamlException)
        {
            return false;
        }
    }

    public static void Write(UserContext user, string file, IReadOnlyDictionary<string, object?> content)
    {
        var path = PathOf(user, file);
        Directory.CreateDirectory(user.ConfigDirectory);
        var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using (var stream = new FileStream(temporary, options))
            using (var text = new StreamWriter(stream))
            {
                Writer.Serialize(text, content);
            }

            DurableFile.FlushFile(temporary);
            DurableFile.ReplaceWith(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Parses YAML typed by a user; null when it is not a YAML mapping.</summary>
    public static Dictionary<string, object?>? ParseMapping(string yaml)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode)
            {
                return null;
            }

            return Reader.Deserialize<Dictionary<object, object?>>(yaml).ToDictionary(p => p.Key.ToString() ?? string.Empty, p => p.Value);
        }
        catch (YamlException)
        {
            return null;
        }
    }

    public static string Serialize(object content) => Writer.Serialize(content);

    public static string? Text(this IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is not (null or IDictionary<object, object?> or IList<object?>) ? value.ToString() : null;

    public static List<string> TextList(this IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is List<object?> items
            ? [.. items.OfType<object>().Select(i => i.ToString()!).Where(s => s.Length > 0)]
            : [];

    private static string PathOf(UserContext user, string file) => Path.Combine(user.ConfigDirectory, file);
}
