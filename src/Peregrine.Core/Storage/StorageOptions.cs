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
