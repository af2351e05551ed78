using System.Runtime.InteropServices;

namespace Peregrine.Storage;

/// <summary>
/// Write-beside-then-rename with the fsyncs that make it crash-safe: the new file's bytes reach the disk before the
/// rename, and the directory entry reaches the disk after it. Without the directory fsync a power cut can undo the rename.
/// </summary>
public static partial class DurableFile
{
    private const int ReadOnly = 0; // O_RDONLY

    public static void FlushFile(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>Atomically replaces <paramref name="destination"/> with the already-flushed <paramref name="source"/>.</summary>
    public static void ReplaceWith(string source, string destination)
    {
        File.Move(source, destination, overwrite: true);
        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
    }

    /// <summary>Gives the already-flushed <paramref name="source"/> the name <paramref name="destination"/> unless that exists; false when it does.</summary>
    public static bool TryMoveNew(string source, string destination)
    {
        try
        {
            File.Move(source, destination, overwrite: false);
        }
        catch (IOException) when (File.Exists(destination))
        {
            return false;
        }

        FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
        return true;
    }

    // .NET cannot open a directory as a file handle, so the directory fsync goes straight to libc.
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        var fd = Open(directory, ReadOnly);
        if (fd < 0)
        {
            throw new IOException($"cannot open directory {directory} to flush it (errno {Marshal.GetLastPInvokeError()})");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"fsync of directory {directory} failed (errno {Marshal.GetLastPInvokeError()})");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
