using System.Diagnostics.CodeAnalysis;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>Where a user DB stood when <see cref="KeyRotation.EnsureCurrent"/> looked at it.</summary>
public enum KeyState
{
    /// <summary>No file yet, or a plain (legacy) one: there is no key to rotate.</summary>
    Unkeyed,

    /// <summary>Already at the current key (its record now says so).</summary>
    Current,

    /// <summary>Was at a recorded previous key and has been rekeyed in place to the current one.</summary>
    Rekeyed,

    /// <summary>Not at the current key and no key id recorded: a legacy passphrase file, or written before key ids existed.</summary>
    Unrecorded,
}

/// <summary>The DB is recorded at a key id no configured secret has; it is reported, never guessed at.</summary>
public sealed class UnknownKeyIdException(string ownerId, string keyId)
    : Exception($"the DB of {ownerId} is recorded at key id {keyId}, which is neither CF_SERVER_SECRET nor listed in CF_SERVER_SECRET_PREVIOUS")
{
    public string KeyId { get; } = keyId;
}

/// <summary>Another connection (the service, or a second rekey) held the DB; nothing was changed, so try again later. <paramref name="cause"/> is the contention seen last, for the log.</summary>
public sealed class DatabaseInUseException(string ownerId, Exception? cause = null)
    : Exception($"the DB of {ownerId} is in use by another process; try again", cause);

/// <summary>
/// Rekeys a user DB in place from a recorded previous key to the current one. The engine refuses <c>PRAGMA rekey</c> in
/// WAL mode, so the DB is switched to a rollback journal first, which SQLite allows only when no other connection (in
/// any process) has the file open: that is what keeps a rekey from racing the running service. The rekey itself is one
/// write transaction whose rollback journal holds the original pages, so a crash rolls the file back to the old key.
/// The key record is written before (old + pending) and after (new), and every open tries the current key first.
/// </summary>
public static class KeyRotation
{
    public const int NotADatabase = 26; // SQLITE_NOTADB: the key does not decrypt the file
    private const int Busy = 5;
    private const int Locked = 6;
    private const int JournalSwitchWaitSeconds = 1;

    /// <summary>
    /// Brings the DB at <paramref name="location"/> to its current key. While the file is held elsewhere it retries for
    /// up to <paramref name="wait"/> (zero: once), then throws <see cref="DatabaseInUseException"/>.
    /// </summary>
    /// <param name="beforeRekey">Test seam: runs after the pending record is written, just before <c>PRAGMA rekey</c>.</param>
    public static KeyState EnsureCurrent(DatabaseLocation location, TimeSpan wait, Action<string>? beforeRekey = null)
    {
        if (!IsKeyedFile(location, out var keys))
        {
            return KeyState.Unkeyed;
        }

        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return TryOnce(location, keys, beforeRekey);
            }
            catch (Exception e) when (IsContention(e) && DateTime.UtcNow < deadline)
            {
                // Back off by a random few milliseconds so two rekeyers of one file do not keep colliding.
                Thread.Sleep(Random.Shared.Next(5, 40));
            }
            catch (Exception e) when (IsContention(e))
            {
                throw e as DatabaseInUseException ?? new DatabaseInUseException(location.OwnerId, e);
            }
        }
    }

    /// <summary>
    /// Keeps every other process from rekeying the DB or writing it until the returned connection is disposed: an
    /// immediate transaction holds SQLite's write lock (in WAL mode, readers alone would not stop another process's
    /// writer), and a rekey first needs the file to itself. For a caller that copies the file's bytes (a move), which
    /// this process already holds exclusively. Opened at the key the file is at, current or recorded, and not rekeyed
    /// here. Null when there is no keyed file to protect.
    /// </summary>
    public static SqliteConnection? HoldAgainstOtherWriters(DatabaseLocation location)
    {
        if (!IsKeyedFile(location, out var keys))
        {
            return null;
        }

        InterruptedRekey.RollBack(location, keys, KeyRecord.Read(location.Path));
        return RecordedKeys.Open(location, key =>
        {
            // The open reads the schema with the key (a wrong key fails there); BEGIN IMMEDIATE takes the lock at once.
            var connection = SqliteDatabase.Open(location.Path, key, pooling: false, SqliteOpenMode.ReadWrite);
            try
            {
                connection.Execute("BEGIN IMMEDIATE;");
                return connection;
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }).Connection;
    }

    /// <summary>Records that the DB is at its current key (after it was created or converted at that key).</summary>
    public static void RecordCurrent(DatabaseLocation location)
    {
        if (location.Keys is { } keys && KeyRecord.Read(location.Path) != new KeyRecord(keys.CurrentId) && File.Exists(location.Path))
        {
            KeyRecord.Write(location.Path, new KeyRecord(keys.CurrentId));
        }
    }

    private static KeyState TryOnce(DatabaseLocation location, DatabaseKeys keys, Action<string>? beforeRekey)
    {
        // A rollback leaves the record as it is: read once.
        var record = KeyRecord.Read(location.Path);
        InterruptedRekey.RollBack(location, keys, record);
        // Without a record only the current key is tried: a previous secret is never guessed at.
        if (record is null)
        {
            if (!Opens(location.Path, keys.Current))
            {
                return KeyState.Unrecorded;
            }

            RecordCurrent(location);
            return KeyState.Current;
        }

        var opened = RecordedKeys.Open(location, key => SqliteDatabase.Open(location.Path, key, pooling: false, SqliteOpenMode.ReadWrite));
        using var connection = opened.Connection;
        if (opened.KeyId == keys.CurrentId)
        {
            RecordCurrent(location);
            return KeyState.Current;
        }

        Rekey(connection, location, opened.KeyId, keys, beforeRekey);
        return KeyState.Rekeyed;
    }

    /// <summary>Rekeys through <paramref name="connection"/>, which the probe opened at the recorded key <paramref name="oldId"/>.</summary>
    private static void Rekey(SqliteConnection connection, DatabaseLocation location, string oldId, DatabaseKeys keys, Action<string>? beforeRekey)
    {
        // Microsoft.Data.Sqlite retries SQLITE_BUSY until the command timeout: a held file should be given up on quickly.
        if (connection.ExecuteScalar<string>("PRAGMA journal_mode = DELETE;", commandTimeout: JournalSwitchWaitSeconds) != "delete")
        {
            throw new DatabaseInUseException(location.OwnerId);
        }

        KeyRecord.Write(location.Path, new KeyRecord(oldId, RekeyingTo: keys.CurrentId));
        beforeRekey?.Invoke(location.Path);
        // A plain command, not Dapper: Dapper caches every SQL text it runs for the life of the process, key included.
        using (var rekey = connection.CreateCommand())
        {
            rekey.CommandText = $"PRAGMA rekey = \"{keys.Current.ToRawKeyLiteral()}\";";
            rekey.ExecuteNonQuery();
        }

        connection.ExecuteScalar<long>("SELECT count(*) FROM sqlite_schema;");
        KeyRecord.Write(location.Path, new KeyRecord(keys.CurrentId));

        // Back to WAL now if nobody else opened the file meanwhile; otherwise the next preparation does it.
        try
        {
            connection.Execute("PRAGMA journal_mode = WAL;");
        }
        catch (SqliteException e) when (e.SqliteErrorCode is Busy or Locked)
        {
        }
    }

    private static bool Opens(string path, DatabaseKey key)
    {
        try
        {
            SqliteDatabase.Open(path, key, pooling: false, SqliteOpenMode.ReadWrite).Dispose();
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == NotADatabase)
        {
            return false;
        }
    }

    /// <summary>A non-empty, encrypted file with keys to try: anything else has no key to rotate or protect.</summary>
    private static bool IsKeyedFile(DatabaseLocation location, [NotNullWhen(true)] out DatabaseKeys? keys)
    {
        keys = location.Keys;
        var path = location.Path;
        return keys is not null && File.Exists(path) && new FileInfo(path).Length > 0 && !DatabaseFileHeader.IsPlain(path);
    }

    private static bool IsContention(Exception e) =>
        e is DatabaseInUseException || e is SqliteException { SqliteErrorCode: Busy or Locked or NotADatabase };
}
