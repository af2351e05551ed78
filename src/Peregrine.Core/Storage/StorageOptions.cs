namespace Peregrine.Storage;

/// <summary>How <see cref="UserDatabases"/> opens and keeps user DBs (configuration section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";

    /// <summary>
    /// How many DB files keep pooled handles (least recently used beyond this are closed). Each pooled handle is an
    /// open file plus its page cache, so 10,000 users must not mean 10,000 open files.
    /// </summary>
    public int MaxPooledDatabases { get; set; } = 256;

    /// <summary>
    /// How many connections one DB file may have open at once; more requests of the same user wait for one (at most
    /// <see cref="ConnectionSlotWait"/>). Each connection has its own page cache, so this multiplies the memory a
    /// pooled file can use (see README, Benchmarks: memory budget).
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
