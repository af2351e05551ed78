using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Peregrine.Storage;

/// <summary>
/// The one recipe for a Microsoft.Data.Sqlite connection string to a Peregrine DB file. Keyed files use the
/// SQLCipher v4 scheme, named explicitly in the URI (<c>cipher=sqlcipher&amp;legacy=4</c>) so the format does not
/// depend on how the engine was compiled, and the raw key goes in <c>Password=</c>, which Microsoft.Data.Sqlite
/// applies once per pooled handle rather than once per open.
/// </summary>
public static class SqliteDatabase
{
    /// <summary>Seconds a statement waits on a locked DB (Microsoft.Data.Sqlite retries SQLITE_BUSY until then).</summary>
    public const int BusyTimeoutSeconds = 30;

    /// <summary>
    /// Page cache per connection, in KiB. A warm read of a page in the cache costs no decryption, so the cache must hold
    /// a list's working set: SQLite's default (2 MB) was smaller than a 500-job DB and every warm list re-decrypted
    /// every page. A cache only grows to the pages read, i.e. at most the DB's size; the process-wide bound
    /// is <see cref="SqliteEngine.MemoryLimitBytes"/>.
    /// </summary>
    public const int PageCacheKiB = 16 * 1024;

    /// <summary>
    /// WAL pages after which a commit folds the WAL into the file (SQLite's default is 1,000, 4 MiB). Pooled handles
    /// close without a checkpoint, so this also bounds the WAL the next open of an evicted file must read back.
    /// </summary>
    public const int WalAutocheckpointPages = 256;

    /// <param name="cipherSalt">
    /// The file's salt in hex, for the engine to use instead of reading it from the file's first page: only to roll
    /// back an interrupted rekey (<see cref="InterruptedRekey"/>).
    /// </param>
    public static string ConnectionString(string path, DatabaseKey? key, bool pooling = true, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate, string? cipherSalt = null)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = key is null ? path : CipherUri(path, "sqlcipher", legacy: 4) + (cipherSalt is null ? string.Empty : $"&cipher_salt={cipherSalt}"),
            Mode = mode,
            Pooling = pooling,
            ForeignKeys = true,
            DefaultTimeout = BusyTimeoutSeconds,
        };
        if (key is not null)
        {
            builder.Password = key.ToRawKeyLiteral();
        }

        return builder.ToString();
    }

    /// <summary>
    /// Opens (creating when allowed). A new handle has its key checked by reading the schema (a wrong key fails here,
    /// not later) and its settings applied; a pooled handle had both when it was new, so a warm open runs no statement.
    /// A pooled handle also closes without the checkpoint SQLite runs when the last connection to a WAL file closes:
    /// when the pool retires a file, that checkpoint (and its fsyncs) made every eviction a write. The WAL keeps the
    /// commits, durable as they were; the next open reads it, and autocheckpoint still bounds it. A file about to be
    /// replaced is checkpointed on purpose first (<see cref="CheckpointBeforeReplacement"/>).
    /// </summary>
    public static SqliteConnection Open(string path, DatabaseKey? key, bool pooling = true, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate, string? cipherSalt = null)
    {
        SqliteEngine.EnsureLoaded();
        var connection = new KeyHidingConnection(ConnectionString(path, key, pooling, mode, cipherSalt), unpooled: !pooling);
        try
        {
            connection.Open();
            var handle = connection.Handle!;
            if (pooling && SetUpHandles.TryGetValue(handle, out _))
            {
                return connection;
            }

            using var probe = connection.CreateCommand();
            // busy_timeout makes SQLite itself wait for a writer's lock (on top of Microsoft.Data.Sqlite's own retry),
            // so concurrent writers to one user's DB queue instead of surfacing SQLITE_BUSY.
            probe.CommandText = "SELECT count(*) FROM sqlite_schema;";
            probe.ExecuteScalar();
            probe.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA cache_size = -{PageCacheKiB};";
            probe.ExecuteNonQuery();
            if (pooling)
            {
                // The WAL a close leaves is what the next first open reads back (recovery): keep it to 1 MiB.
                probe.CommandText = $"PRAGMA wal_autocheckpoint = {WalAutocheckpointPages};";
                probe.ExecuteNonQuery();
                raw.sqlite3_db_config(handle, raw.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, out _);
                SetUpHandles.AddOrUpdate(handle, SetUp);
            }

            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Moves every commit in the WAL into the file and empties the WAL, through a pooled handle of the file: called
    /// before its handles close for a replacement or removal, because they close without a checkpoint and a WAL left
    /// at the path would be replayed into whatever file is put there. Best effort: a file with no WAL (or already gone)
    /// has nothing to move, and is not opened.
    /// </summary>
    internal static void CheckpointBeforeReplacement(string path, DatabaseKey? key)
    {
        if (!File.Exists(path + "-wal"))
        {
            return;
        }

        try
        {
            // The pool's own connection string: its idle handle is the one to use (it still has the file it opened).
            using var connection = Open(path, key);
            using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }
        catch (SqliteException)
        {
            // Gone, unreadable or at another key: whoever replaces it sees the same state the close would have left.
        }
    }

    /// <summary>Handles (pooled by Microsoft.Data.Sqlite) whose key was checked and settings applied; entries go with the handle.</summary>
    private static readonly ConditionalWeakTable<sqlite3, object> SetUpHandles = new();

    private static readonly object SetUp = new();

    /// <summary>A <c>file:</c> URI carrying SQLite3 Multiple Ciphers' per-file cipher parameters.</summary>
    internal static string CipherUri(string path, string cipher, int legacy) => FileUri(path, $"cipher={cipher}&legacy={legacy}");

    /// <summary>
    /// An SQLite <c>file:</c> URI for <paramref name="path"/> with URI parameters; the characters SQLite's URI parser
    /// treats specially in a path (<c>%</c>, <c>?</c>, <c>#</c>) are escaped, everything else is taken literally.
    /// </summary>
    internal static string FileUri(string path, string query) =>
        "file:" + Path.GetFullPath(path)
            .Replace("%", "%25", StringComparison.Ordinal)
            .Replace("?", "%3F", StringComparison.Ordinal)
            .Replace("#", "%23", StringComparison.Ordinal) + "?" + query;
}
