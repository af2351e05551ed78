using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Yaml;

namespace Peregrine.Settings;

/// <summary>
/// The user's YAML files in <c>config/</c> (user.yaml, search_profiles.yaml, plain_text_resume.yaml). Only the fixed
/// file names below are ever opened, so no request can name a path. Every text, read or written, goes through
/// <see cref="GuardedYaml"/>. A write replaces the whole file atomically (temp file, fsync, rename) with owner-only
/// permissions; a missing or unreadable file reads as empty, never as another's.
/// </summary>
public static class UserConfigFiles
{
    public const string UserYaml = "user.yaml";
    public const string SearchProfilesYaml = "search_profiles.yaml";
    public const string ResumeYaml = "plain_text_resume.yaml";

    public static bool Exists(UserContext user, string file) => File.Exists(PathOf(user, file));

    /// <summary>The file's top-level mapping (keys as strings); empty when the file is missing or cannot be used.</summary>
    public static Dictionary<string, object?> Read(UserContext user, string file) =>
        // A hand-edited file that no longer parses reads as empty rather than failing every settings page.
        TryRead(user, file, out var map) ? map : [];

    /// <summary>As <see cref="Read"/>, but false (and an empty map) when the file exists and is not YAML we read.</summary>
    public static bool TryRead(UserContext user, string file, out Dictionary<string, object?> map)
    {
        try
        {
            map = ReadOrThrow(user, file);
            return true;
        }
        catch (InvalidYamlException)
        {
            map = [];
            return false;
        }
    }

    /// <summary>The file's top-level mapping (empty when missing); <see cref="InvalidYamlException"/> says why one cannot be used.</summary>
    public static Dictionary<string, object?> ReadOrThrow(UserContext user, string file)
    {
        var path = PathOf(user, file);
        if (!File.Exists(path))
        {
            // Most optional files are absent for most users, and pages read several per request: a stat is cheaper than
            // the exception (it was about one thrown per request in the capacity bench). The catches below keep the race.
            return [];
        }

        try
        {
            return GuardedYaml.DeserializeMapping(GuardedYaml.ReadFile(path, NameOf(file)), NameOf(file));
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        catch (DirectoryNotFoundException)
        {
            return [];
        }
    }

    /// <summary>
    /// Replaces the file with <paramref name="content"/>. The text is checked as a read would check it (size, depth)
    /// before anything is written, so a file we wrote always reads back; <see cref="InvalidYamlException"/> otherwise.
    /// </summary>
    public static void Write(UserContext user, string file, IReadOnlyDictionary<string, object?> content)
    {
        var text = GuardedYaml.Serialize(content, NameOf(file));
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
            using (var writer = new StreamWriter(stream))
            {
                writer.Write(text);
            }

            DurableFile.FlushFile(temporary);
            DurableFile.ReplaceWith(temporary, path);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>YAML typed by a user, as a mapping; <see cref="InvalidYamlException"/> (naming <paramref name="file"/>) says why not.</summary>
    public static Dictionary<string, object?> ParseMapping(string yaml, string file) => GuardedYaml.DeserializeMapping(yaml, file);

    public static string Serialize(object content, string file) => GuardedYaml.Serialize(content, file);

    public static string? Text(this IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is not (null or IDictionary<object, object?> or IList<object?>) ? value.ToString() : null;

    public static List<string> TextList(this IReadOnlyDictionary<string, object?> map, string key) =>
        map.TryGetValue(key, out var value) && value is List<object?> items
            ? [.. items.OfType<object>().Select(i => i.ToString()!).Where(s => s.Length > 0)]
            : [];

    /// <summary>How a file is named to its user: where it is in their tree.</summary>
    public static string NameOf(string file) => $"config/{file}";

    private static string PathOf(UserContext user, string file) => Path.Combine(user.ConfigDirectory, file);
}
