using System.Text.Json;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>
/// Where <c>backup-all</c> assembles a snapshot, kept between runs so that each run copies only what changed:
/// <c>snapshot/</c> is exactly what restic stores (<c>manifest.json</c>, <c>platform/</c>, <c>keys/</c>,
/// <c>users/&lt;id&gt;/&lt;app&gt;/</c>), <c>state/</c> is what the runs remember (never in a snapshot). Owner-only, like
/// the data root it sits in by default. An erasure removes the user's part of it at once.
/// </summary>
public sealed class StagingArea(string root)
{
    public string Root { get; } = root;

    public string Snapshot => Path.Combine(Root, "snapshot");

    public string State => Path.Combine(Root, "state");

    public string Manifest => Path.Combine(Snapshot, InstanceManifest.FileName);

    public string PlatformDump => Path.Combine(Snapshot, "platform", "platform.sql");

    public string Keys => Path.Combine(Snapshot, "keys");

    public string Users => Path.Combine(Snapshot, "users");

    public string TreeDirectory(string userId, string app) => Path.Combine(Users, userId, app);

    public string TreeState(string userId, string app) => Path.Combine(State, "users", userId, app + ".json");

    public void Create()
    {
        foreach (var directory in new[] { Root, Snapshot, State, Users, Keys, Path.GetDirectoryName(PlatformDump)! })
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }

    /// <summary>One <c>backup-all</c> at a time: an exclusive lock the kernel releases when its holder dies, or null when held.</summary>
    public FileStream? TryLock()
    {
        try
        {
            return new FileStream(Path.Combine(State, "backup-all.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Staged users (and their state) that are not in <paramref name="live"/> any more are removed.</summary>
    public int RemoveAllBut(IReadOnlySet<(string UserId, string App)> live)
    {
        var removed = 0;
        foreach (var userDirectory in Children(Users))
        {
            var userId = Path.GetFileName(userDirectory);
            foreach (var appDirectory in Children(userDirectory).Where(app => !live.Contains((userId, Path.GetFileName(app)))))
            {
                Directory.Delete(appDirectory, recursive: true);
                File.Delete(TreeState(userId, Path.GetFileName(appDirectory)));
                removed++;
            }

            if (!Directory.EnumerateFileSystemEntries(userDirectory).Any())
            {
                Directory.Delete(userDirectory);
                DeleteDirectory(Path.Combine(State, "users", userId));
            }
        }

        return removed;
    }

    /// <summary>Everything staged for the user goes (an erasure): their copy must not outlive their tree on this host.</summary>
    public void RemoveUser(string userId)
    {
        DeleteDirectory(Path.Combine(Users, userId));
        DeleteDirectory(Path.Combine(State, "users", userId));
    }

    /// <summary>Written beside, flushed, then renamed over: a crash leaves the old file or the new one.</summary>
    public static void WriteJson<T>(string path, T value)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temp = path + ".staging";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write))
        {
            JsonSerializer.Serialize(stream, value, InstanceManifest.Json);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }

    private static List<string> Children(string directory) =>
        Directory.Exists(directory) ? [.. Directory.EnumerateDirectories(directory)] : [];

    private static void DeleteDirectory(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
