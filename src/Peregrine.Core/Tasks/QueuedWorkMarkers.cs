using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// Finds, at start-up, the users whose DBs have queued tasks, without opening any DB. The default reads the markers in
/// the data root; a host whose users live elsewhere (e.g. demo sandboxes) registers its own.
/// </summary>
public interface ITaskOwnerDirectory
{
    IEnumerable<UserContext> WithQueuedWork();
}

/// <summary>
/// A small empty file, <c>&lt;app dir&gt;/.tasks-queued</c>, present while a user's queue may hold work: written (and its
/// directory entry flushed) when the runner first learns of work, removed when it finds the queue empty. Start-up finds
/// the users with work by one pass over the data root's user folders (a stat each, no DB open, no key derivation for
/// anyone else), which is what lets 10,000 idle users cost nothing. The marker lives inside the user's tree, so an
/// erasure removes it with everything else, and it is not in a backup (only named config files are).
/// </summary>
public static class QueuedWorkMarkers
{
    public const string FileName = ".tasks-queued";

    public static string PathOf(UserContext user) => Path.Combine(user.AppDirectory, FileName);

    public static bool IsSet(UserContext user) => File.Exists(PathOf(user));

    /// <summary>Creates the marker; a tree that no longer exists (erased) gets none.</summary>
    public static void Set(UserContext user)
    {
        if (!Directory.Exists(user.AppDirectory) || IsSet(user))
        {
            return;
        }

        // Presence is all a marker says, so creating the empty file is already atomic; the flush makes it survive a crash.
        File.WriteAllBytes(PathOf(user), []);
        DurableFile.FlushDirectory(user.AppDirectory);
    }

    public static void Clear(UserContext user)
    {
        if (Directory.Exists(user.AppDirectory))
        {
            File.Delete(PathOf(user));
        }
    }
}

/// <summary>Cloud mode: <c>&lt;CLOUD_DATA_ROOT&gt;/&lt;uuid&gt;/&lt;app&gt;/.tasks-queued</c>; local mode: the one local user's.</summary>
internal sealed class DataRootTaskOwners(IOptions<PeregrineOptions> options) : ITaskOwnerDirectory
{
    public IEnumerable<UserContext> WithQueuedWork()
    {
        var settings = options.Value;
        if (!settings.CloudMode)
        {
            var local = LocalUserResolver.LocalUser(settings);
            return QueuedWorkMarkers.IsSet(local) ? [local] : [];
        }

        return Directory.Exists(settings.DataRoot) ? CloudOwners(settings) : [];
    }

    private static IEnumerable<UserContext> CloudOwners(PeregrineOptions settings)
    {
        foreach (var directory in Directory.EnumerateDirectories(settings.DataRoot))
        {
            // Only canonical user folders: anything else in the root is not a tree this service made.
            var name = Path.GetFileName(directory);
            if (!Guid.TryParseExact(name, "D", out var id) || id.ToString() != name)
            {
                continue;
            }

            if (File.Exists(Path.Combine(directory, settings.App, QueuedWorkMarkers.FileName)))
            {
                yield return CloudUserResolver.ForUser(settings, name);
            }
        }
    }
}
