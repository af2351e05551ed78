namespace Peregrine.Storage;

/// <summary>How <see cref="UserDatabases"/> opens and keeps user DBs (configuration section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// How many DB files keep pooled handles; 0 (the default) sizes the pool from the host (<see cref="PoolCapacity"/>):
    /// the memory budget and the open-file limit. Each pooled file is 3 open files plus its page cache, so 10,000 users
    /// must not mean 10,000 open DBs, and a pool smaller than the active users makes every request re-open its DB.
    /// </summary>
    public int MaxPooledDatabases { get; set; }

    /// <summary>
    /// Memory for SQLite (pooled handles and their page caches), in MiB: also SQLite's soft heap limit, past which page
    /// caches recycle their own pages. 0 (the default): a quarter of the memory the runtime may use (the container's
    /// limit when there is one), at least 256 MiB.
    /// </summary>
    public long MemoryBudgetMiB { get; set; }

    /// <summary>What one pooled DB is planned at, in KiB: its handle, schema and a warm page cache of a 300-job user.</summary>
    public int MemoryPerDatabaseKiB { get; set; } = 1024;

    /// <summary>
    /// Open files kept free for everything but pooled DBs (sockets: one per keep-alive client connection, the platform
    /// DB, uploads). 0 (the default): a quarter of the limit, at least 1,024.
    /// </summary>
    public long ReservedFileDescriptors { get; set; }

    /// <summary>
    /// How many connections one DB file may have open at once; more requests of the same user wait for one (at most
    /// <see cref="ConnectionSlotWait"/>). Each connection has its own page cache, so this multiplies the memory a
    /// pooled file can use (see docs/capacity.md).
    /// </summary>
    public int MaxConnectionsPerDatabase { get; set; } = 4;

    /// <summary>How long an open waits for one of <see cref="MaxConnectionsPerDatabase"/> before going ahead anyway.</summary>
    public TimeSpan ConnectionSlotWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long preparing a DB still at a previous key waits for another process (e.g. <c>rekey-all</c>) that holds it.</summary>
    public TimeSpan RekeyWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether preparing a DB fails the tasks a previous process left running. Off in operator commands: while the
    /// service runs, a task it is executing was not interrupted.
    /// </summary>
    public bool FailInterruptedTasks { get; set; } = true;

    /// <summary>The schema steps; tests substitute a set with a later or a broken step.</summary>
    public MigrationSet Migrations { get; init; } = MigrationSet.Embedded;

    /// <summary>
    /// Runs on every connection <see cref="UserDatabases"/> hands out, before the caller sees it: a host's per-connection
    /// rules (the demo's job cap is a TEMP trigger, so it never travels into a visitor's exported DB).
    /// </summary>
    public Action<Microsoft.Data.Sqlite.SqliteConnection>? ConnectionOpened { get; set; }

    /// <summary>Test seam for legacy conversion: runs after the temp file is written and flushed, before the rename.</summary>
    internal Action<string>? AfterConversionTempWritten { get; init; }
}
