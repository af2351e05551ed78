using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Peregrine.Sessions;

namespace Peregrine.Backup;

/// <summary>
/// Uploads kept between the Data page's two posts (upload → preview, then confirm): the browser cannot send the file
/// twice, so the first post keeps it in the user's own tree, owner-only, under a random id that the confirm form carries
/// back. Ids are checked to be that shape, so a posted id can never name a path. Each kept upload costs up to the upload
/// limit of disk, so they are bounded: at most <see cref="BackupOptions.MaxKeptUploadsPerUser"/> per user and
/// <see cref="BackupOptions.MaxKeptUploads"/> in all (keeping one more removes the oldest), each for
/// <see cref="BackupOptions.KeptUploadLifetime"/> (a timer removes expired ones, whoever's they are). Files a previous
/// process kept are removed at their user's next upload.
/// </summary>
public sealed class RestoreUploads : IDisposable
{
    private const string Folder = "restore-uploads";

    private readonly TimeProvider _time;
    private readonly BackupOptions _options;
    private readonly Lock _gate = new();
    private readonly LinkedList<(string Path, DateTimeOffset Kept)> _kept = new();
    private readonly ITimer _sweeper;

    public RestoreUploads(TimeProvider time, IOptions<BackupOptions> options)
    {
        _time = time;
        _options = options.Value;
        var every = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(1).Ticks, Lifetime.Ticks / 4));
        _sweeper = time.CreateTimer(_ => RemoveExpired(), null, every, every);
    }

    private TimeSpan Lifetime => _options.KeptUploadLifetime;

    /// <summary>A new, empty file for an upload, and its id.</summary>
    public (string Id, FileStream File) Create(UserContext user)
    {
        var directory = Directory.CreateDirectory(Path.Combine(user.AppDirectory, Folder)).FullName;
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var path = PathOf(user, id);
        MakeRoom(directory);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        var file = new FileStream(path, options);
        List<string> overflow;
        lock (_gate)
        {
            // Uploads already restored, discarded or removed as a user's oldest no longer count.
            for (var node = _kept.First; node is not null;)
            {
                var next = node.Next;
                if (!File.Exists(node.Value.Path))
                {
                    _kept.Remove(node);
                }

                node = next;
            }

            _kept.AddLast((path, _time.GetUtcNow()));
            overflow = [];
            while (_kept.Count > Math.Max(1, _options.MaxKeptUploads))
            {
                overflow.Add(_kept.First!.Value.Path);
                _kept.RemoveFirst();
            }
        }

        overflow.ForEach(Delete);
        return (id, file);
    }

    /// <summary>The kept upload, or null when the id is malformed, unknown or expired.</summary>
    public FileStream? Open(UserContext user, string? id)
    {
        if (!IsWellFormed(id))
        {
            return null;
        }

        var path = PathOf(user, id!);
        try
        {
            return _time.GetUtcNow() - File.GetLastWriteTimeUtc(path) < Lifetime ? File.OpenRead(path) : null;
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public static void Discard(UserContext user, string? id)
    {
        if (IsWellFormed(id))
        {
            File.Delete(PathOf(user, id!));
        }
    }

    public void Dispose() => _sweeper.Dispose();

    private static bool IsWellFormed(string? id) => id is { Length: 32 } && id.All(Uri.IsHexDigit);

    private static string PathOf(UserContext user, string id) => Path.Combine(user.AppDirectory, Folder, id + ".zip");

    /// <summary>The user's expired uploads go, then their oldest until one more fits.</summary>
    private void MakeRoom(string directory)
    {
        var files = Directory.GetFiles(directory, "*.zip")
            .Select(path => (Path: path, Written: new DateTimeOffset(File.GetLastWriteTimeUtc(path), TimeSpan.Zero)))
            .OrderBy(file => file.Written)
            .ToList();
        var keep = Math.Max(1, _options.MaxKeptUploadsPerUser) - 1;
        var expired = files.Where(file => _time.GetUtcNow() - file.Written >= Lifetime).ToList();
        var oldest = files.Except(expired).SkipLast(keep);
        foreach (var (path, _) in expired.Concat(oldest))
        {
            Delete(path);
        }
    }

    private void RemoveExpired()
    {
        var expiredBefore = _time.GetUtcNow() - Lifetime;
        List<string> expired = [];
        lock (_gate)
        {
            while (_kept.First is { } first && first.Value.Kept <= expiredBefore)
            {
                expired.Add(first.Value.Path);
                _kept.RemoveFirst();
            }
        }

        expired.ForEach(Delete);
    }

    private static void Delete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // The user's tree is gone (erased, or a demo sandbox removed): nothing is left to delete.
        }
        catch (IOException)
        {
            // Still open by a restore that is reading it: the next sweep, or the user's next upload, takes it.
        }
    }
}
