using Dapper;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace Peregrine.Demo.Limits;

/// <summary>
/// At most <see cref="DemoOptions.MaxSandboxBytes"/> per sandbox, its DB and its files together. The DB's part is
/// enforced by SQLite itself: every connection the demo opens gets <c>PRAGMA max_page_count</c> set to what the quota
/// leaves beside the sandbox's other files (config, kept uploads), so no insert path (API, page, task, import) can
/// grow it further; the other files are bounded each (YAML 256 KB, kept uploads by number). A write that would pass
/// the quota fails as a whole and answers 413; the sandbox keeps working (reads, deletes, reset), and room freed by
/// deleting is used again before the file grows.
/// </summary>
public sealed class SandboxQuota(IOptions<DemoOptions> options, IProblemDetailsService problems, DemoPaths paths) : IExceptionHandler
{
    private const int SqliteFull = 13;

    /// <summary>The WAL is truncated back to this after a checkpoint, so a big write does not stay on disk twice.</summary>
    private const long JournalSizeLimit = 1024 * 1024;

    /// <summary>
    /// Committed pages wait in the WAL until a checkpoint copies them into the DB, and the quota counts the DB's pages:
    /// checkpointing after 256 pages (1 MB at 4 KB) rather than SQLite's 1,000 keeps a sandbox within about 1 MB of it.
    /// </summary>
    private const int WalCheckpointPages = 256;

    public static void Install(SqliteConnection connection, long maxBytes)
    {
        var database = Path.GetFullPath(connection.DataSource);
        var others = OtherFilesBytes(Path.GetDirectoryName(database)!, database);
        var pageSize = connection.ExecuteScalar<long>("PRAGMA page_size;");
        var pages = Math.Max(1, (maxBytes - others) / pageSize);
        connection.Execute($"PRAGMA max_page_count = {pages}; PRAGMA journal_size_limit = {JournalSizeLimit}; PRAGMA wal_autocheckpoint = {WalCheckpointPages};");
    }

    /// <summary>What a sandbox holds besides its DB (and the DB's WAL and shared-memory files).</summary>
    public static long OtherFilesBytes(string sandbox, string database)
    {
        long total = 0;
        foreach (var file in new DirectoryInfo(sandbox).EnumerateFiles("*", SearchOption.AllDirectories))
        {
            var path = file.FullName;
            if (!(path == database || path == database + "-wal" || path == database + "-shm" || path == database + "-journal"))
            {
                total += SizeOf(file);
            }
        }

        return total;
    }

    /// <summary>Every file of a sandbox, for the all-sandboxes budget.</summary>
    public static long Bytes(string sandbox)
    {
        try
        {
            return new DirectoryInfo(sandbox).EnumerateFiles("*", SearchOption.AllDirectories).Sum(SizeOf);
        }
        catch (DirectoryNotFoundException)
        {
            return 0;
        }
    }

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var full = false;
        for (var e = exception; e is not null && !full; e = e.InnerException)
        {
            full = e is SqliteException { SqliteErrorCode: SqliteFull };
        }

        // SQLite says "full" for a full disk too: that one stays the service's 507.
        if (!full || new DriveInfo(paths.Sandboxes).AvailableFreeSpace < options.Value.MaxSandboxBytes || httpContext.Response.HasStarted)
        {
            return false;
        }

        return await problems.WriteAsync(httpContext, StatusCodes.Status413PayloadTooLarge, "Demo storage limit reached",
            $"The public demo keeps at most {options.Value.MaxSandboxBytes / (1024 * 1024)} MB per visitor, and this change would go past it, so nothing was saved. Remove some jobs or reset the demo.");
    }

    private static long SizeOf(FileInfo file)
    {
        try
        {
            return file.Length;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }
}
