using System.Diagnostics;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>What a user DB file looked like when it was copied: a later copy is needed only when this changes.</summary>
public sealed record DatabaseStamp(ulong Inode, long Length, long WrittenTicks, long WalLength, long WalWrittenTicks, string? KeyRecord)
{
    /// <summary>The stamp of the DB at <paramref name="path"/> now (its file, its WAL and its key record).</summary>
    public static DatabaseStamp Of(string path)
    {
        var file = new FileInfo(path);
        var wal = new FileInfo(path + "-wal");
        var record = Storage.KeyRecord.PathFor(path);
        return new DatabaseStamp(
            FileIdentity.Of(path)?.Inode ?? 0,
            file.Length,
            file.LastWriteTimeUtc.Ticks,
            wal.Exists ? wal.Length : -1,
            wal.Exists ? wal.LastWriteTimeUtc.Ticks : 0,
            File.Exists(record) ? File.ReadAllText(record) : null);
    }
}

/// <summary>One copy: the key id it is at, how long the DB's writers waited, and the source's stamp at that moment.</summary>
public sealed record EncryptedSnapshotCopy(string KeyId, TimeSpan WriterPause, DatabaseStamp Source);

/// <summary>The DB is plain SQLite (a legacy file the service has not converted yet): it is never copied out as it is.</summary>
public sealed class PlainDatabaseException(string ownerId)
    : Exception($"the DB of {ownerId} is not encrypted yet (a legacy plain file); open it once through the service, which converts it");

/// <summary>
/// A consistent copy of a live user DB that is never decrypted on the way: the ciphertext bytes on disk are copied while
/// the DB's writers are held off, so the copy is at the same key as the original and shares every unchanged page with the
/// previous copy. That sharing is why SQLite's backup API is not used here: it reads each page through the source's
/// codec and re-encrypts it for the destination with a fresh random IV, so two copies of an unchanged DB would have no
/// byte in common and a deduplicating repository would store every DB again in every snapshot.
/// <para>
/// Consistency comes from SQLite's own locks, and the writers wait only for the WAL to be copied. The DB file is copied
/// inside a read transaction: while it lasts the WAL cannot be restarted, and a checkpoint may move into the DB file only
/// frames that stay in the WAL (or none at all, when the reader reads the DB file alone). Then <c>BEGIN IMMEDIATE</c> on a
/// second connection takes the write lock, so no transaction commits while the WAL is copied. Replaying that WAL into
/// the copy repairs any page a checkpoint changed while the DB file was being read, and yields the state at the lock.
/// </para>
/// </summary>
public static class EncryptedSnapshot
{
    private const int CopyBufferBytes = 1 << 20;
    private const int NoCheckpointOnClose = 1006; // SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE

    /// <summary>
    /// Copies the DB at <paramref name="location"/> to <paramref name="destination"/> (replaced atomically, flushed). The
    /// copy is a single file (its WAL folded in) at the key the original is at.
    /// </summary>
    /// <param name="afterInspection">Test seam: runs once the file's key is found, before the copy's own connections open.</param>
    public static EncryptedSnapshotCopy Copy(DatabaseLocation location, string destination, Action? afterInspection = null)
    {
        if (DatabaseFileHeader.IsPlain(location.Path))
        {
            throw new PlainDatabaseException(location.OwnerId);
        }

        var temp = LegacyConversion.NewTempPath(destination);
        try
        {
            TimeSpan pause;
            DatabaseStamp stamp;
            var (keyId, key, reader, writer) = OpenAtItsKey(location, afterInspection);
            using (reader)
            using (writer)
            {
                // Move what is committed into the DB file first, so that little WAL is left to copy under the lock.
                Execute(reader, "PRAGMA wal_checkpoint(PASSIVE);");
                Execute(reader, "BEGIN; SELECT count(*) FROM sqlite_schema;");
                try
                {
                    CopyBytes(location.Path, temp);
                    Execute(writer, "BEGIN IMMEDIATE;");
                    var held = Stopwatch.StartNew();
                    try
                    {
                        stamp = DatabaseStamp.Of(location.Path);
                        if (File.Exists(location.Path + "-wal"))
                        {
                            CopyBytes(location.Path + "-wal", temp + "-wal");
                        }
                    }
                    finally
                    {
                        Execute(writer, "ROLLBACK;");
                        pause = held.Elapsed;
                    }
                }
                finally
                {
                    Execute(reader, "ROLLBACK;");
                }
            }

            FoldWal(temp, key);
            DurableFile.FlushFile(temp);
            DurableFile.ReplaceWith(temp, destination);
            return new EncryptedSnapshotCopy(keyId, pause, stamp);
        }
        finally
        {
            foreach (var leftover in new[] { temp, temp + "-wal", temp + "-shm", temp + "-journal" })
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>
    /// Finds the key the file is at and opens the copy's reader and writer at it. The inspection's connection stays open
    /// until both are: a rekey (another process's <c>rekey-all</c>) needs the file to itself, so the key cannot change
    /// between being found and being used, which would fail the copy with "file is not a database".
    /// </summary>
    private static (string KeyId, DatabaseKey Key, SqliteConnection Reader, SqliteConnection Writer) OpenAtItsKey(DatabaseLocation location, Action? afterInspection)
    {
        using var inspected = DatabaseInspection.OpenReadOnly(location);
        var key = location.Keys!.Find(inspected.KeyId)!;
        afterInspection?.Invoke();
        var reader = OpenSource(location.Path, key);
        try
        {
            return (inspected.KeyId, key, reader, OpenSource(location.Path, key));
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static SqliteConnection OpenSource(string path, DatabaseKey key)
    {
        var connection = SqliteDatabase.Open(path, key, pooling: false, SqliteOpenMode.ReadWrite);
        // Closing the last connection would checkpoint and delete the WAL, changing the file's stamp although its
        // content did not change; the next run would then copy it again for nothing.
        SQLitePCL.raw.sqlite3_db_config(connection.Handle!, NoCheckpointOnClose, 1, out _);
        return connection;
    }

    /// <summary>Replays the copied WAL into the copy and removes it: the copy is one file, still in WAL mode.</summary>
    private static void FoldWal(string path, DatabaseKey key)
    {
        using (var copy = SqliteDatabase.Open(path, key, pooling: false, SqliteOpenMode.ReadWrite))
        {
            Execute(copy, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        // The last connection to close removes the WAL; a leftover would be an empty one.
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
    }

    private static void CopyBytes(string source, string destination)
    {
        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, CopyBufferBytes);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = CopyBufferBytes };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var output = new FileStream(destination, options);
        input.CopyTo(output, CopyBufferBytes);
    }

    // A plain command, not Dapper: nothing here needs its cache.
    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
