using System.Runtime.InteropServices;
using Peregrine.Configuration;

namespace Peregrine.Storage;

/// <summary>
/// Whether this process can write the data root and every user folder in it, checked once before serving. A data root
/// owned by someone else (a fresh host's root-owned folder, a tree left by an install outside containers) would
/// otherwise fail each user's first request; instead the service refuses to start with one line naming the fix.
/// </summary>
public static partial class DataRootAccess
{
    /// <summary>The variable a deployment sets to the data root's path on the host, so the fix names the host path.</summary>
    public const string HostPathVariable = "PEREGRINE_DATA_ROOT_ON_HOST";

    private const int WriteAndSearch = 2 | 1; // W_OK | X_OK

    /// <summary>Null when the data root is usable; otherwise the one line that says what is wrong and how to fix it.</summary>
    public static string? Problem(PeregrineOptions options, string? hostPath)
    {
        var root = options.DataRoot;
        var blocked = CannotWrite(root) ? root : FirstBlockedUserFolder(root);
        if (blocked is null)
        {
            return null;
        }

        var (user, group) = (GetEffectiveUserId(), GetEffectiveGroupId());
        var target = string.IsNullOrWhiteSpace(hostPath) ? root : hostPath;
        var where = string.IsNullOrWhiteSpace(hostPath) ? string.Empty : $" on the host (mounted at {root})";
        return $"data root {blocked} is not writable by this process (uid {user}, gid {group}); "
            + $"fix: sudo chown -R {user}:{group} {target} && sudo chmod -R go-rwx {target}{where}";
    }

    private static bool CannotWrite(string root)
    {
        try
        {
            Directory.CreateDirectory(root);
            var probe = Path.Combine(root, $".write-check-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    /// <summary>One access check per user folder (not per file): cheap at start-up even with many users.</summary>
    private static string? FirstBlockedUserFolder(string root) =>
        Directory.EnumerateDirectories(root)
            .Where(folder => Guid.TryParseExact(Path.GetFileName(folder), "D", out _))
            .FirstOrDefault(folder => Access(folder, WriteAndSearch) != 0);

    [LibraryImport("libc", EntryPoint = "access", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Access(string path, int mode);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getegid")]
    private static partial uint GetEffectiveGroupId();
}
