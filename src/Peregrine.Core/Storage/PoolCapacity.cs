using System.Runtime.InteropServices;

namespace Peregrine.Storage;

/// <summary>
/// How many DB files the pool keeps open, from what the host has rather than a constant: a fixed 256 made every user
/// past the 256th re-open (and re-prepare) their DB on each request, and throughput collapsed. Two limits, the smaller
/// wins: the memory budget (SQLite's soft heap limit too) divided by what one pooled file costs, and the process's
/// open-file limit, less a reserve for sockets, divided by the 3 files a pooled DB holds (db, -wal, -shm).
/// <see cref="StorageOptions.MaxPooledDatabases"/> set above zero overrides both.
/// </summary>
public sealed partial record PoolCapacity(int Databases, long MemoryBudgetBytes, long OpenFileLimit, long ReservedFiles, string LimitedBy)
{
    /// <summary>A pooled WAL DB holds the file, its -wal and its -shm open.</summary>
    public const int FilesPerDatabase = 3;

    /// <summary>The floor: a host with too little of either still pools a few users.</summary>
    public const int Minimum = 16;

    private const long MiB = 1024 * 1024;

    public static PoolCapacity For(StorageOptions options) => For(options, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes, OpenFileLimitOfThisProcess());

    /// <param name="availableMemory">What the runtime may use: the host's memory, or the container's limit.</param>
    /// <param name="openFileLimit">The soft <c>RLIMIT_NOFILE</c> (.NET raises it to the hard limit at start).</param>
    public static PoolCapacity For(StorageOptions options, long availableMemory, long openFileLimit)
    {
        var budget = options.MemoryBudgetMiB > 0
            ? options.MemoryBudgetMiB * MiB
            : Math.Max(256 * MiB, availableMemory / 4);
        var reserved = options.ReservedFileDescriptors > 0
            ? options.ReservedFileDescriptors
            : Math.Max(1024, openFileLimit / 4);
        var byMemory = budget / (Math.Max(1, options.MemoryPerDatabaseKiB) * 1024L);
        var byFiles = Math.Max(0, openFileLimit - reserved) / FilesPerDatabase;
        if (options.MaxPooledDatabases > 0)
        {
            return new PoolCapacity(options.MaxPooledDatabases, budget, openFileLimit, reserved, "Storage:MaxPooledDatabases");
        }

        var databases = (int)Math.Clamp(Math.Min(byMemory, byFiles), Minimum, int.MaxValue);
        return new PoolCapacity(databases, budget, openFileLimit, reserved, byMemory <= byFiles ? "memory budget" : "open-file limit");
    }

    /// <summary>The soft open-file limit, or a conservative guess where it cannot be read.</summary>
    public static long OpenFileLimitOfThisProcess()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 4096;
        }

        // RLIMIT_NOFILE is 7 on every Linux architecture .NET runs on; rlim_t is 64-bit.
        Span<ulong> limits = stackalloc ulong[2];
        return GetRLimit(7, ref MemoryMarshal.GetReference(limits)) == 0
            ? (long)Math.Min(limits[0], int.MaxValue)
            : 4096;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRLimit(int resource, ref ulong limits);
}
