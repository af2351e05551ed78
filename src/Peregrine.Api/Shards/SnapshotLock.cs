using Dapper;
using Npgsql;

namespace Peregrine.Api.Shards;

/// <summary>
/// Moves and the instance snapshot (<c>backup-all</c>) exclude each other, through one advisory lock on the platform DB
/// that every shard and the backup process share: each move holds it shared (moves still run side by side), the
/// snapshot holds it exclusively while it reads <c>user_shard</c>, copies the trees and dumps the platform DB. So a
/// snapshot sees every user exactly once, at the home its dump names. A move asked for meanwhile is refused at once
/// (nothing changed; run it again later) rather than queued behind a snapshot of unknown length; the snapshot waits a
/// bounded time for the moves in flight, and once it waits no new move starts. A session lock, released when its
/// holder dies, so a killed process never leaves it held.
/// </summary>
public sealed class SnapshotLock : IAsyncDisposable
{
    /// <summary>The lock's key ("PEREGRND"); the platform schema's own advisory lock uses another.</summary>
    public const long Key = 0x5045_5245_4752_4e44;

    private readonly NpgsqlConnection _connection;
    private readonly bool _shared;

    private SnapshotLock(NpgsqlConnection connection, bool shared) => (_connection, _shared) = (connection, shared);

    /// <summary>The connection that holds the lock: read under it what the lock keeps still.</summary>
    public NpgsqlConnection Connection => _connection;

    /// <summary>A move's hold, or null while a snapshot holds the lock or waits for it. Takes ownership of <paramref name="connection"/>.</summary>
    public static async Task<SnapshotLock?> TryEnterMoveAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT pg_try_advisory_lock_shared(@Key)", new { Key }, cancellationToken: cancellationToken)))
        {
            return new SnapshotLock(connection, shared: true);
        }

        await connection.DisposeAsync();
        return null;
    }

    /// <summary>The snapshot's hold, once the moves in flight have ended; a <see cref="TimeoutException"/> after <paramref name="wait"/>.</summary>
    public static async Task<SnapshotLock> EnterSnapshotAsync(string connectionString, TimeSpan wait, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            // lock_timeout bounds the wait in the server itself; the command's own timeout is only a backstop.
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT set_config('lock_timeout', @Timeout, false)", new { Timeout = $"{(long)wait.TotalMilliseconds}ms" }, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                "SELECT pg_advisory_lock(@Key)", new { Key }, commandTimeout: (int)wait.TotalSeconds + 30, cancellationToken: cancellationToken));
            return new SnapshotLock(connection, shared: false);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.LockNotAvailable)
        {
            await connection.DisposeAsync();
            throw new TimeoutException($"moves of users between shards were still running after {wait.TotalSeconds:F0} s; nothing was snapshotted, run backup-all again");
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Unlocked explicitly: a pooled connection is reset only when it is next used, and until then a lock it held would
    /// stay held.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _connection.ExecuteAsync(_shared ? "SELECT pg_advisory_unlock_shared(@Key)" : "SELECT pg_advisory_unlock(@Key)", new { Key });
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // A broken connection has lost its session, and its lock with it.
        }

        await _connection.DisposeAsync();
    }
}
