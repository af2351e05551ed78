using SQLitePCL;
using NativeLibrary = System.Runtime.InteropServices.NativeLibrary;

namespace Peregrine.Storage;

/// <summary>
/// Loads our SQLite3 Multiple Ciphers build (eng/build-native.sh) once per process and hands it to
/// Microsoft.Data.Sqlite. The package's own loader P/Invokes "dl", which does not exist on Debian
/// without libc6-dev, so exports are resolved with NativeLibrary.TryGetExport instead.
/// </summary>
public static class SqliteEngine
{
    public const string LibraryFileName = "libsqlite3mc.so";
    public const string BuildCommand = "./eng/build-native.sh";

    /// <summary>Overrides where the engine is looked for (e.g. a system path in a container image).</summary>
    public const string LibraryPathVariable = "PEREGRINE_SQLITE_LIB";

    /// <summary>
    /// SQLite's soft heap limit for the whole process until <see cref="LimitMemory"/> sets the storage's memory budget:
    /// beyond it, page caches recycle their own least recently used pages instead of growing. It bounds the sum of every
    /// pooled connection's cache (thousands of files × up to 4 connections × <see cref="SqliteDatabase.PageCacheKiB"/>)
    /// at the price of re-reading pages.
    /// </summary>
    public const long MemoryLimitBytes = 512L * 1024 * 1024;

    private static readonly Lock Gate = new();
    private static string? _loadedFrom;

    public static bool IsLoaded => _loadedFrom is not null;

    public static string? LoadedFrom => _loadedFrom;

    /// <summary>Idempotent; throws <see cref="NativeEngineMissingException"/> with a one-line fix when the library is absent.</summary>
    public static void EnsureLoaded()
    {
        if (_loadedFrom is not null)
        {
            return;
        }

        lock (Gate)
        {
            if (_loadedFrom is not null)
            {
                return;
            }

            var path = LocateLibrary();
            if (!File.Exists(path))
            {
                throw new NativeEngineMissingException(path);
            }

            var handle = NativeLibrary.Load(path);
            // The name "sqlcipher" makes Microsoft.Data.Sqlite treat the provider as encryption-capable (Password=).
            SQLite3Provider_dynamic_cdecl.Setup("sqlcipher", new NativeExports(handle));
            raw.SetProvider(new SQLite3Provider_dynamic_cdecl());
            raw.sqlite3_soft_heap_limit64(MemoryLimitBytes);
            _loadedFrom = path;
        }
    }

    /// <summary>Sets SQLite's soft heap limit for the whole process (the pool's memory budget).</summary>
    public static void LimitMemory(long bytes)
    {
        EnsureLoaded();
        raw.sqlite3_soft_heap_limit64(bytes);
    }

    private static string LocateLibrary()
    {
        var configured = Environment.GetEnvironmentVariable(LibraryPathVariable);
        return string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(AppContext.BaseDirectory, LibraryFileName)
            : configured;
    }

    private sealed class NativeExports(IntPtr handle) : IGetFunctionPointer
    {
        public IntPtr GetFunctionPointer(string name) =>
            NativeLibrary.TryGetExport(handle, name, out var pointer) ? pointer : IntPtr.Zero;
    }
}

public sealed class NativeEngineMissingException(string path)
    : Exception($"The encryption engine {SqliteEngine.LibraryFileName} was not found at {path}; build it with: {SqliteEngine.BuildCommand}");
