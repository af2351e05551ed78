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

    /// <summary>How long preparing a DB still at a previous key waits for another process (e.g. <c>rekey-all</c>) that holds it.</summary>
    public TimeSpan RekeyWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Whether preparing a DB fails the tasks a previous process left running. Off in operator commands: while the
    /// service runs, a task it is executing was not interrupted.
    /// </summary>
    public bool FailInterruptedTasks { get; set; } = true;

    /// <summary>The schema steps; tests substitute a set with a later or a broken step.</summary>
    public MigrationSet Migrations { get; init; } = MigrationSet.Embedded;

    /// <summary>Test seam for legacy conversion: runs after the temp file is written and flushed, before the rename.</summary>
    internal Action<string>? AfterConversionTempWritten { get; init; }
}
