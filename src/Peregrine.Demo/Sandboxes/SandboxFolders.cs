using Peregrine.Demo.Seed;

namespace Peregrine.Demo.Sandboxes;

/// <summary>The sandboxes' folder work. Names starting with '.' are work in progress: never a sandbox, removed at start-up.</summary>
internal static class SandboxFolders
{
    /// <summary>The template copied into a new hidden folder beside the sandboxes (same filesystem: the final move is a rename).</summary>
    public static string CopyTemplate(string template, string sandboxes, string visitorId)
    {
        var target = Path.Combine(sandboxes, $".new-{visitorId}-{Guid.NewGuid():N}");
        try
        {
            CopyDirectory(template, target);
            Directory.CreateDirectory(Path.Combine(target, "data"));
            return target;
        }
        catch
        {
            DemoSeed.DeleteIfExists(target);
            throw;
        }
    }

    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }

        foreach (var directory in Directory.EnumerateDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }

    /// <summary>Where a removed sandbox is renamed to before it is deleted (hidden: start-up removes any left over).</summary>
    public static string Graveyard(string sandboxes, string visitorId) => Path.Combine(sandboxes, $".gone-{visitorId}-{Guid.NewGuid():N}");
}
