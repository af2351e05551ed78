using System.Runtime.InteropServices;

namespace Peregrine.Storage;

/// <summary>
/// Which file a path names right now (device and inode). A pooled SQLite handle keeps the file it opened even after
/// another process renamed a new file over that path (a restore) or removed it (an erasure); comparing identities is
/// how this process notices, since .NET exposes no inode.
/// </summary>
internal readonly partial record struct FileIdentity(ulong Device, ulong Inode)
{
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int NoSuchFile = 2;   // ENOENT
    private const int NotADirectory = 20; // ENOTDIR

    /// <summary>The identity of the file at <paramref name="path"/>, or null when there is none.</summary>
    public static FileIdentity? Of(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // No statx: identity checks are off, and only this process's own evictions are seen.
            return File.Exists(path) ? new FileIdentity(0, 0) : null;
        }

        // struct statx has one layout on every Linux architecture (unlike struct stat): ino at 32, dev major/minor at 136/140.
        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxIno, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is NoSuchFile or NotADirectory
                ? null
                : throw new IOException($"statx failed for a DB file (errno {errno})");
        }

        var inode = BitConverter.ToUInt64(buffer[32..40]);
        var device = ((ulong)BitConverter.ToUInt32(buffer[136..140]) << 32) | BitConverter.ToUInt32(buffer[140..144]);
        return new FileIdentity(device, inode);
    }

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte statx);
}
