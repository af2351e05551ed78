using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Peregrine.Sessions;

namespace Peregrine.Web;

/// <summary>
/// The Data page's restore is two posts (upload → preview, then confirm), and the browser cannot send the file twice:
/// the first post keeps the upload in the user's own tree under a random id that the confirm form carries back. Ids are
/// checked to be that shape, so a posted id can never name a path; staged files older than an hour are removed.
/// </summary>
public sealed class RestoreStaging(TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private const string Folder = "restore-uploads";

    public async Task<string> StageAsync(UserContext user, IFormFile upload, CancellationToken cancellationToken)
    {
        var directory = Directory.CreateDirectory(Path.Combine(user.AppDirectory, Folder)).FullName;
        RemoveExpired(directory);
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        await using var file = new FileStream(Path.Combine(directory, id + ".zip"), options);
        await upload.CopyToAsync(file, cancellationToken);
        return id;
    }

    /// <summary>The staged upload, or null when the id is malformed, unknown or expired.</summary>
    public FileStream? Open(UserContext user, string? id)
    {
        if (id is not { Length: 32 } || !id.All(Uri.IsHexDigit))
        {
            return null;
        }

        var path = Path.Combine(user.AppDirectory, Folder, id + ".zip");
        return File.Exists(path) && time.GetUtcNow() - File.GetLastWriteTimeUtc(path) < Lifetime ? File.OpenRead(path) : null;
    }

    public static void Discard(UserContext user, string id)
    {
        if (id.Length == 32 && id.All(Uri.IsHexDigit))
        {
            File.Delete(Path.Combine(user.AppDirectory, Folder, id + ".zip"));
        }
    }

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
