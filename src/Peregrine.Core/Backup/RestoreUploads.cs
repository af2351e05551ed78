using System.Security.Cryptography;
using Peregrine.Sessions;

namespace Peregrine.Backup;

/// <summary>
/// Uploads kept between the Data page's two posts (upload → preview, then confirm): the browser cannot send the file
/// twice, so the first post keeps it in the user's own tree, owner-only, under a random id that the confirm form carries
/// back. Ids are checked to be that shape, so a posted id can never name a path; kept files older than an hour are
/// removed at the next upload.
/// </summary>
public sealed class RestoreUploads(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private const string Folder = "restore-uploads";

    /// <summary>A new, empty file for an upload, and its id.</summary>
    public (string Id, FileStream File) Create(UserContext user)
    {
        var directory = Directory.CreateDirectory(Path.Combine(user.AppDirectory, Folder)).FullName;
        RemoveExpired(directory);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.ReadWrite, Options = FileOptions.Asynchronous };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return (id, new FileStream(PathOf(user, id), options));
    }

    /// <summary>The kept upload, or null when the id is malformed, unknown or expired.</summary>
    public FileStream? Open(UserContext user, string? id)
    {
        if (!IsWellFormed(id))
        {
            return null;
        }

        var path = PathOf(user, id!);
        return File.Exists(path) && time.GetUtcNow() - File.GetLastWriteTimeUtc(path) < Lifetime ? File.OpenRead(path) : null;
    }

    public static void Discard(UserContext user, string? id)
    {
        if (IsWellFormed(id))
        {
            File.Delete(PathOf(user, id!));
        }
    }

    private static bool IsWellFormed(string? id) => id is { Length: 32 } && id.All(Uri.IsHexDigit);

    private static string PathOf(UserContext user, string id) => Path.Combine(user.AppDirectory, Folder, id + ".zip");

    private void RemoveExpired(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.zip"))
        {
            if (time.GetUtcNow() - File.GetLastWriteTimeUtc(file) > Lifetime)
            {
                File.Delete(file);
            }
        }
    }
}
