namespace Peregrine.Storage;

/// <summary>
/// What this process knows about one user's DB file: who is using it (<see cref="Leases"/>, <see cref="Slots"/>),
/// whether it was prepared and which file (device, inode) that was, and whether its tree was erased. One record per
/// file, retired once the file has left the pool and nothing uses it, so this process's memory follows its active
/// users, not every user it has ever served. An erased file's record is never retired: it is what refuses the file.
/// </summary>
internal sealed class DatabaseFile(StorageOptions options)
{
    private Lazy<FileIdentity?>? _preparation;

    public FileLeases Leases { get; } = new();

    public ConnectionSlots Slots { get; } = new(options.MaxConnectionsPerDatabase, options.ConnectionSlotWait);

    /// <summary>Set by an erasure in this process (or seen from another's): every open is refused until reinstated.</summary>
    public bool Removed { get; set; }

    public bool IsPrepared => _preparation is { IsValueCreated: true };

    /// <summary>The file that was prepared, when preparation has finished.</summary>
    public FileIdentity? PreparedIdentity => _preparation is { IsValueCreated: true } done ? done.Value : null;

    /// <summary>Runs <paramref name="prepare"/> once for every caller until <see cref="ForgetPreparation"/>; a failure is not kept.</summary>
    public void EnsurePrepared(Func<FileIdentity?> prepare)
    {
        var once = Volatile.Read(ref _preparation)
            ?? Interlocked.CompareExchange(ref _preparation, new Lazy<FileIdentity?>(prepare), null)
            ?? Volatile.Read(ref _preparation)!;
        try
        {
            _ = once.Value;
        }
        catch
        {
            // A failed preparation (broken migration, unreadable file) is retried by the next open, not cached.
            Interlocked.CompareExchange(ref _preparation, null, once);
            throw;
        }
    }

    /// <summary>A file this process prepared before (<see cref="PreparedFiles"/>): the next open checks only its identity.</summary>
    public void AssumePrepared(FileIdentity identity)
    {
        var done = new Lazy<FileIdentity?>(identity);
        Interlocked.CompareExchange(ref _preparation, done, null);
    }

    /// <summary>The next open prepares whatever file is then found at the path.</summary>
    public void ForgetPreparation() => Volatile.Write(ref _preparation, null);

    /// <summary>Retires the record if nothing uses or keeps the file and it was not erased.</summary>
    public bool TryRetire() => !Removed && Leases.TryRetire();
}
