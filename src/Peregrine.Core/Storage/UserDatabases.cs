using System.Collections.Concurrent;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Peregrine.Tasks;

namespace Peregrine.Storage;

/// <summary>
/// The one component that opens per-user DBs; nothing else opens a user's staging.db. The first open of a file in
/// this process prepares it once (removes stale conversion temps, converts a legacy file to the raw-key form, turns
/// on WAL, applies missing migrations, fails tasks a previous process left running); every open after that is a
/// pooled handle whose key was applied when the handle was created. Only the most recently used files keep pooled
/// handles (<see cref="StorageOptions.MaxPooledDatabases"/>). Every connection holds a shared lease on its file until
/// it is disposed, so a replacement (<see cref="HoldForReplacementAsync"/>) can wait for them and hold new ones back.
/// </summary>
public sealed class UserDatabases
{
    private readonly StorageOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly PooledDatabases _pooled;
    private readonly ConnectionSlots _slots;
    private readonly ConcurrentDictionary<string, Lazy<bool>> _prepared = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FileLeases> _leases = new(StringComparer.Ordinal);

    static UserDatabases() => DapperConventions.EnsureRegistered();

    [ActivatorUtilitiesConstructor]
    public UserDatabases(IOptions<StorageOptions> options, TimeProvider time, ILogger<UserDatabases> logger)
        : this(options.Value, time, logger)
    {
    }

    public UserDatabases(StorageOptions? options = null, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options ?? new StorageOptions();
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
        _pooled = new PooledDatabases(_options.MaxPooledDatabases);
        _slots = new ConnectionSlots(_options.MaxConnectionsPerDatabase, _options.ConnectionSlotWait);
    }

    /// <summary>How many DB files currently keep pooled handles.</summary>
    public int PooledCount => _pooled.Count;

    public bool IsPooled(DatabaseLocation location) => _pooled.Contains(Normalise(location.Path));

    public SqliteConnection Open(DatabaseLocation location)
    {
        var leases = LeasesOf(location);
        leases.EnterSharedAsync(CancellationToken.None).GetAwaiter().GetResult();
        var exit = ExitWith(leases, _slots.Enter(Normalise(location.Path)));
        return Leased(exit, () =>
        {
            EnsurePrepared(location);
            return OpenPrepared(location);
        });
    }

    public async Task<SqliteConnection> OpenAsync(DatabaseLocation location, CancellationToken cancellationToken = default)
    {
        var leases = LeasesOf(location);
        await leases.EnterSharedAsync(cancellationToken);
        Action exit = leases.ExitShared;
        try
        {
            exit = ExitWith(leases, await _slots.EnterAsync(Normalise(location.Path), cancellationToken));
            if (!IsPrepared(location))
            {
                // Preparation may convert a file (and a passphrase probe costs ~100 ms): keep it off the request thread.
                await Task.Run(() => EnsurePrepared(location), cancellationToken);
            }
        }
        catch
        {
            exit();
            throw;
        }

        return Leased(exit, () => OpenPrepared(location));
    }

    /// <summary>
    /// Waits until every connection to the file is closed (at most <paramref name="timeout"/>), holds new opens back,
    /// and closes the pooled handles: the file may then be replaced. Disposing the handle lets opens continue; the next
    /// one prepares whatever file is then found there.
    /// </summary>
    public async Task<IDisposable> HoldForReplacementAsync(DatabaseLocation location, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var held = await LeasesOf(location).EnterExclusiveAsync(timeout, cancellationToken);
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
        _prepared.TryRemove(path, out _);
        ClearPool(_pooled.Remove(path) ?? SqliteDatabase.ConnectionString(path, location.Key));
    }

    /// <summary>
    /// <see cref="Evict"/> for a file removed for good, also dropping its lease entry once nothing holds it: a process
    /// that creates and removes many files (the demo's per-visitor sandboxes) must not keep one entry per file it ever saw.
    /// </summary>
    public void Forget(DatabaseLocation location)
    {
        Evict(location);
        var path = Normalise(location.Path);
        if (_leases.TryGetValue(path, out var leases) && leases.IsIdle)
        {
            _leases.TryRemove(new KeyValuePair<string, FileLeases>(path, leases));
        }

        _slots.Forget(path);
    }

    private FileLeases LeasesOf(DatabaseLocation location) =>
        _leases.GetOrAdd(Normalise(location.Path), _ => new FileLeases());

    private static Action ExitWith(FileLeases leases, Action releaseSlot) => () =>
    {
        releaseSlot();
        leases.ExitShared();
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

    private bool IsPrepared(DatabaseLocation location) =>
        _prepared.TryGetValue(Normalise(location.Path), out var lazy) && lazy.IsValueCreated;

    private SqliteConnection OpenPrepared(DatabaseLocation location)
    {
        try
        {
            return OpenPooled(location);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == KeyRotation.NotADatabase && location.Keys is not null)
        {
            // Another process changed the file's key after this one prepared it: prepare it again, once.
            Evict(location);
            EnsurePrepared(location);
            return OpenPooled(location);
        }
    }

    private SqliteConnection OpenPooled(DatabaseLocation location)
    {
        var path = Normalise(location.Path);
        var connectionString = SqliteDatabase.ConnectionString(path, location.Key);
        foreach (var evicted in _pooled.Touch(path, connectionString))
        {
            ClearPool(evicted);
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

    private void EnsurePrepared(DatabaseLocation location)
    {
        var path = Normalise(location.Path);
        var once = _prepared.GetOrAdd(path, _ => new Lazy<bool>(() => Prepare(location, path)));
        try
        {
            _ = once.Value;
        }
        catch
        {
            // A failed preparation (broken migration, unreadable file) is retried by the next open, not cached.
            _prepared.TryRemove(new KeyValuePair<string, Lazy<bool>>(path, once));
            throw;
        }
    }

    private bool Prepare(DatabaseLocation location, string path)
    {
        SqliteEngine.EnsureLoaded();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (LegacyConversion.RemoveStaleTemps(path) > 0)
        {
            _logger.LogWarning("Removed temp files of an interrupted conversion beside the DB of {OwnerId}", location.OwnerId);
        }

        var rotation = KeyRotation.EnsureCurrent(location, _options.RekeyWait);
        if (rotation is KeyState.Rekeyed)
        {
            _logger.LogInformation("Rekeyed the DB of {OwnerId} to the current server secret", location.OwnerId);
        }

        if (location.Key is not null)
        {
            var form = LegacyConversion.ConvertIfLegacy(path, location.Key, _options.AfterConversionTempWritten);
            if (form is DatabaseForm.Plaintext or DatabaseForm.Passphrase)
            {
                _logger.LogInformation("Converted the {Form} DB of {OwnerId} to the raw-key form", form, location.OwnerId);
            }
        }

        using var connection = SqliteDatabase.Open(path, location.Key, pooling: false);
        connection.Execute("PRAGMA journal_mode = WAL;");
        if (rotation is not (KeyState.Current or KeyState.Rekeyed))
        {
            KeyRotation.RecordCurrent(location);
        }

        var applied = SchemaMigrator.Migrate(connection, _options.Migrations, _time);
        if (applied.Count > 0)
        {
            _logger.LogInformation("Migrated the DB of {OwnerId}: {Versions}", location.OwnerId, string.Join(", ", applied));
        }

        var interrupted = _options.FailInterruptedTasks ? BackgroundTasks.FailInterrupted(connection, _time) : 0;
        if (interrupted > 0)
        {
            _logger.LogInformation("Failed {Count} task(s) of {OwnerId} interrupted by restart", interrupted, location.OwnerId);
        }

        return true;
    }

    private static void ClearPool(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        SqliteConnection.ClearPool(connection);
    }

    private static string Normalise(string path) => Path.GetFullPath(path);
}
