using System.Diagnostics;
using System.Globalization;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>
/// The owner and modes a restored tree gets: folders 0700 and files 0600, as the service creates them, and optionally
/// an owner (<c>--owner uid:gid</c>) when the restore runs as root for a service that runs as another user. Links are
/// changed themselves (<c>chown -h</c>), never followed.
/// </summary>
public static class TreeOwnership
{
    private const UnixFileMode Folder = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode File = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Parses <c>uid:gid</c> (numbers); null for anything else.</summary>
    public static (int Uid, int Gid)? ParseOwner(string? value) =>
        value?.Split(':') is [var uid, var gid]
        && int.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out var u)
        && int.TryParse(gid, NumberStyles.None, CultureInfo.InvariantCulture, out var g)
            ? (u, g)
            : null;

    public static void Apply(string path, (int Uid, int Gid)? owner)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var isDirectory = Directory.Exists(path);
        if (isDirectory)
        {
            foreach (var entry in new DirectoryInfo(path).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint }))
            {
                System.IO.File.SetUnixFileMode(entry.FullName, entry is DirectoryInfo ? Folder : File);
            }
        }

        System.IO.File.SetUnixFileMode(path, isDirectory ? Folder : File);
        if (owner is { } o)
        {
            Chown(path, o);
        }
    }

    private static void Chown(string path, (int Uid, int Gid) owner)
    {
        var start = new ProcessStartInfo("chown") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-h", "-R", FormattableString.Invariant($"{owner.Uid}:{owner.Gid}"), "--", path })
        {
            start.ArgumentList.Add(argument);
        }

        using var chown = Process.Start(start)!;
        chown.StandardError.ReadToEnd();
        chown.WaitForExit();
        if (chown.ExitCode != 0)
        {
            throw new IOException("cannot change the owner of the restored files; is restore-all running as root?");
        }
    }
}
