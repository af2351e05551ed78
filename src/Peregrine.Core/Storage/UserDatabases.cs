using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Peregrine.Storage;

/// <summary>
/// The one component that opens per-user DBs; nothing else opens a user's staging.db. The first open of a file in
/// this process prepares it once (<see cref="DatabasePreparation"/>); every open after that is a pooled handle whose
/// key was applied when the handle was created. Only the files used most recently and most often keep pooled handles
/// (<see cref="PoolCapacity"/>, <see cref="PooledDatabases"/>), and only those, the files in use and the erased ones keep a
/// record here (<see cref="DatabaseFile"/>): a file that leaves the pool unused is forgotten and prepared again by its
/// next open. Every connection holds a shared lease on its file until it is disposed, so a replacement
/// (<see cref="HoldForReplacementAsync"/>) can wait for them and hold new ones back. Each open also checks that the path
/// still names the file that was prepared (device and inode): a file another process replaced is re-prepared, and a
/// tree another process erased is refused, never served from the stale handle.
/// </summary>
public sealed class UserDatabases
{
    private readonly StorageOptions _options;
    private readonly ILogger _logger;
    private readonly DatabasePreparation _preparation;
    private readonly PooledDatabases _pooled;
    private readonly PreparedFiles _prepared;
    private readonly ConcurrentDictionary<string, DatabaseFile> _files = new(StringComparer.Ordinal);

    static UserDatabases() => DapperConventions.EnsureRegistered();

    [ActivatorUtilitiesConstructor]
    public UserDatabases(IOptions<StorageOptions> options, TimeProvider time, ILogger<UserDatabases> logger)
        : this(options.Value, time, logger)
    {
    }

    public UserDatabases(StorageOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options ?? new StorageOptions();
        _logger = logger ?? NullLogger.Instance;
        _preparation = new DatabasePreparation(_options, time ?? TimeProvider.System, _logger);
        Capacity = PoolCapacity.For(_options);
        _pooled = new PooledDatabases(Capacity.Databases);
        _prepared = new PreparedFiles(Math.Max(1024, 4 * Capacity.Databases));
        SqliteEngine.LimitMemory(Capacity.MemoryBudgetBytes);
        _logger.LogInformation(
            "DB pool: {Databases} files (by {LimitedBy}; memory budget {BudgetMiB} MiB, open-file limit {OpenFiles}, {Reserved} reserved)",
            Capacity.Databases, Capacity.LimitedBy, Capacity.MemoryBudgetBytes / (1024 * 1024), Capacity.OpenFileLimit, Capacity.ReservedFiles);
    }

    /// <summary>How many files the pool keeps open, and why that many.</summary>
    public PoolCapacity Capacity { get; }

    /// <summary>How many DB files currently keep pooled handles.</summary>
    public int PooledCount => _pooled.Count;

    public bool IsPooled(DatabaseLocation location) => _pooled.Contains(Normalise(location.Path));

    /// <summary>How many DB files this process keeps a record of (pooled, in use, or erased).</summary>
    internal int KnownFileCount => _files.Count;

    public SqliteConnection Open(DatabaseLocation location)
    {
        var path = Normalise(location.Path);
        var file = EnterSharedAsync(path, CancellationToken.None).GetAwaiter().GetResult();
        var exit = ExitWith(location, path, file, file.Slots.Enter());
        return Leased(exit, () =>
        {
            EnsureCurrent(location, path, file);
            EnsurePrepared(location, path, file);
            return OpenPrepared(location, path, file);
        });
    }

    public async Task<SqliteConnection> OpenAsync(DatabaseLocation location, CancellationToken cancellationToken = default)
    {
        var path = Normalise(location.Path);
        var file = await EnterSharedAsync(path, cancellationToken);
        var exit = ExitWith(location, path, file, static () => { });
        try
        {
            exit = ExitWith(location, path, file, await file.Slots.EnterAsync(cancellationToken));
            EnsureCurrent(location, path, file);
            if (!file.IsPrepared)
            {
                // Preparation may convert a file (and a passphrase probe costs ~100 ms): keep it off the request thread.
                await Task.Run(() => EnsurePrepared(location, path, file), cancellationToken);
            }
        }
        catch
        {
            exit();
            throw;
        }

        return Leased(exit, () => OpenPrepared(location, path, file));
    }

    /// <summary>
    /// Keeps this process's record of the file (and so its preparation) while work of this process is under way on it
    /// with no connection open: a task waiting on the network. Without it the file could leave the pool meanwhile, and
    /// the next open would prepare it again and fail that very task as "interrupted by restart".
    /// </summary>
    public IDisposable Keep(DatabaseLocation location)
    {
        var path = Normalise(location.Path);
        var kept = EnterCurrentAsync(path, file => Task.FromResult(file.Leases.TryKeep(out var keep) ? keep : null)).GetAwaiter().GetResult();
        return new ReleaseOnce(() =>
        {
            kept.Dispose();
            // Kept while outside the pool (its last open fell out meanwhile, or it was never opened): forget it now.
            if (!_pooled.Contains(path))
            {
                Retire(path, PooledConnectionString(location, path));
            }
        });
    }

    /// <summary>
    /// Waits until every connection to the file is closed (at most <paramref name="timeout"/>), holds new opens back,
    /// and closes the pooled handles: the file may then be replaced. Disposing the handle lets opens continue; the next
    /// one prepares whatever file is then found there.
    /// </summary>
    public async Task<IDisposable> HoldForReplacementAsync(DatabaseLocation location, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var held = await EnterCurrentAsync(Normalise(location.Path), file => file.Leases.TryEnterExclusiveAsync(timeout, cancellationToken));
        Evict(location);
        return held;
    }

    /// <summary>
    /// Closes the owner's pooled handles and forgets that the file was prepared: required before the file is replaced
    /// (restore) or removed (erasure). The next open prepares whatever file is then found there.
    /// </summary>
    public void Evict(DatabaseLocation location)
    {
        var path = Normalise(location.Path);
        _prepared.Forget(path);
        if (_files.TryGetValue(path, out var file))
        {
            file.ForgetPreparation();
        }

        if (_pooled.Remove(path) is { } pooled)
        {
            SqliteDatabase.CheckpointBeforeReplacement(path, location.Key);
            SqlitePoolGroups.ClearPool(pooled);
        }
        else
        {
            SqlitePoolGroups.ClearPool(PooledConnectionString(location, path));
        }

        SqlitePoolGroups.Forget(path);
    }

    /// <summary>
    /// After an erasure removed the tree: every open of the file is refused (<see cref="UserDataRemovedException"/>),
    /// including those that were waiting for the erasure's hold, until <see cref="Reinstate"/>. Call while holding.
    /// </summary>
    public void MarkRemoved(DatabaseLocation location)
    {
        Evict(location);
        FileOf(Normalise(location.Path)).Removed = true;
    }

    /// <summary>A new account was provisioned where an erased one was: opens are allowed again.</summary>
    public void Reinstate(DatabaseLocation location)
    {
        if (_files.TryGetValue(Normalise(location.Path), out var file))
        {
            file.Removed = false;
        }
    }

    /// <summary>
    /// <see cref="Evict"/> for a file removed for good, also dropping its record once nothing uses it: a process that
    /// creates and removes many files (the demo's per-visitor sandboxes) must not keep one record per file it ever saw.
    /// </summary>
    public void Forget(DatabaseLocation location)
    {
        Evict(location);
        var path = Normalise(location.Path);
        Retire(path, PooledConnectionString(location, path));
    }

    /// <summary>
    /// Refuses an erased file, and forgets a prepared file that is no longer the one at its path: another process
    /// replaced it (it is re-prepared) or removed its whole tree (an erasure: refused, and not recreated here).
    /// </summary>
    private void EnsureCurrent(DatabaseLocation location, string path, DatabaseFile file)
    {
        if (file.Removed)
        {
            throw new UserDataRemovedException(location.OwnerId);
        }

        if (file.PreparedIdentity is not { } prepared)
        {
            return;
        }

        var current = FileIdentity.Of(path);
        if (current == prepared)
        {
            return;
        }

        if (current is null && !Directory.Exists(Path.GetDirectoryName(path)))
        {
            _logger.LogInformation("The tree of {OwnerId} was removed by another process; refusing its stale DB handle", location.OwnerId);
            MarkRemoved(location);
            throw new UserDataRemovedException(location.OwnerId);
        }

        _logger.LogInformation("The DB of {OwnerId} was replaced by another process; reopening it", location.OwnerId);
        Evict(location);
    }

    private DatabaseFile FileOf(string path) => _files.GetOrAdd(path, static (path, self) =>
    {
        var file = new DatabaseFile(self._options);
        if (self._prepared.Take(path) is { } identity)
        {
            file.AssumePrepared(identity);
        }

        return file;
    }, this);

    /// <summary>Enters a shared lease on the file's current record.</summary>
    private Task<DatabaseFile> EnterSharedAsync(string path, CancellationToken cancellationToken) =>
        EnterCurrentAsync(path, async file => await file.Leases.TryEnterSharedAsync(cancellationToken) ? file : null);

    /// <summary>
    /// Tries <paramref name="enter"/> on the file's current record until one admits it: a record retired between the
    /// lookup and the entry admits nobody, so it is dropped from the map and the fresh record is tried instead.
    /// </summary>
    private async Task<T> EnterCurrentAsync<T>(string path, Func<DatabaseFile, Task<T?>> enter)
        where T : class
    {
        while (true)
        {
            var file = FileOf(path);
            if (await enter(file) is { } entered)
            {
                return entered;
            }

            _files.TryRemove(new KeyValuePair<string, DatabaseFile>(path, file));
        }
    }

    /// <summary>
    /// Forgets a file that is out of the pool and unused: its record, and the library's pool group, which holds its key.
    /// So neither the key nor the memory of a user outlives their slot in the pool. The group is the pooled connection
    /// string's (<paramref name="pooledConnectionString"/>): unpooled opens took theirs with them
    /// (<see cref="KeyHidingConnection"/>), so no search through every group is needed on each eviction.
    /// </summary>
    private void Retire(string path, string pooledConnectionString)
    {
        if (_files.TryGetValue(path, out var file) && file.TryRetire())
        {
            _files.TryRemove(new KeyValuePair<string, DatabaseFile>(path, file));
            if (file.PreparedIdentity is { } identity)
            {
                _prepared.Remember(path, identity);
            }

            SqlitePoolGroups.ForgetGroup(pooledConnectionString);
        }
    }

    private static string PooledConnectionString(DatabaseLocation location, string path) => SqliteDatabase.ConnectionString(path, location.Key);

    /// <summary>Gives back the slot and the lease; the last connection of a file evicted while in use retires it.</summary>
    private Action ExitWith(DatabaseLocation location, string path, DatabaseFile file, Action releaseSlot) => () =>
    {
        releaseSlot();
        file.Leases.ExitShared();
        if (!_pooled.Contains(path))
        {
            Retire(path, PooledConnectionString(location, path));
        }
    };

    /// <summary>Runs <paramref name="open"/> under the lease and slot already entered; the connection gives them back (<paramref name="exit"/>) when disposed.</summary>
    private static SqliteConnection Leased(Action exit, Func<SqliteConnection> open)
    {
        SqliteConnection connection;
        try
        {
            connection = open();
        }
        catch
        {
            exit();
            throw;
        }

        var returned = 0;
        connection.Disposed += (_, _) =>
        {
            if (Interlocked.Exchange(ref returned, 1) == 0)
            {
                exit();
            }
        };
        return connection;
    }

    private void EnsurePrepared(DatabaseLocation location, string path, DatabaseFile file) =>
        file.EnsurePrepared(() => _preparation.Prepare(location, path));

    private SqliteConnection OpenPrepared(DatabaseLocation location, string path, DatabaseFile file)
    {
        try
        {
            return OpenPooled(location, path);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == KeyRotation.NotADatabase && location.Keys is not null)
        {
            // Another process changed the file's key after this one prepared it: prepare it again, once.
            Evict(location);
            EnsurePrepared(location, path, file);
            return OpenPooled(location, path);
        }
    }

    private SqliteConnection OpenPooled(DatabaseLocation location, string path)
    {
        foreach (var (evictedPath, evictedConnectionString) in _pooled.Touch(path, PooledConnectionString(location, path)))
        {
            SqlitePoolGroups.ClearPool(evictedConnectionString);
            Retire(evictedPath, evictedConnectionString);
        }

        var connection = SqliteDatabase.Open(path, location.Key);
        try
        {
            _options.ConnectionOpened?.Invoke(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    private static string Normalise(string path) => Path.GetFullPath(path);
}
