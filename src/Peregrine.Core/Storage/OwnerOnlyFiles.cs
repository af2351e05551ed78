using System.Runtime.InteropServices;

namespace Peregrine.Storage;

/// <summary>
/// In cloud mode every file and folder the service creates holds one user's data, so the process umask is 077: SQLite's
/// -wal/-shm files, conversion temps and restored files are then owner-only (0600/0700) without each call site
/// remembering a mode. Explicit modes on the user tree stay as a second line of defence.
/// </summary>
public static partial class OwnerOnlyFiles
{
    private const uint GroupAndOthers = 0x3F; // 077

    public static void ApplyToProcess()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Umask(GroupAndOthers);
        }
    }

    [LibraryImport("libc", EntryPoint = "umask")]
    private static partial uint Umask(uint mask);
}
