using System.Runtime.InteropServices;

namespace Peregrine.Backup;

/// <summary>
/// A rename is only durable once the directory holding it is flushed; .NET has no API for that, so it calls fsync(2)
/// on the directory itself.
/// </summary>
public static partial class Durability
{
    private const int ReadOnly = 0, Directory = 0x10000; // O_RDONLY | O_DIRECTORY on Linux

    public static void FlushDirectory(string path)
    {
        var fd = Open(path, ReadOnly | Directory);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory for fsync (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of a directory failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    // "libc.so.6", not "libc": Debian has no libc.so without libc6-dev.
    [LibraryImport("libc.so.6", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc.so.6", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc.so.6", EntryPoint = "close")]
    private static partial int Close(int fd);
}
