using Microsoft.Data.Sqlite;

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
    /// every page (issue 11). A cache only grows to the pages read, i.e. at most the DB's size; the process-wide bound
    /// is <see cref="SqliteEngine.MemoryLimitBytes"/>.
    /// </summary>
    public const int PageCacheKiB = 16 * 1024;

    public static string ConnectionString(string path, DatabaseKey? key, bool pooling = true, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate)
    {
        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = key is null ? path : CipherUri(path, "sqlcipher", legacy: 4),
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

    /// <summary>Opens (creating when allowed) and checks the key by reading the schema: a wrong key fails here, not later.</summary>
    public static SqliteConnection Open(string path, DatabaseKey? key, bool pooling = true, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate)
    {
        SqliteEngine.EnsureLoaded();
        var connection = new KeyHidingConnection(ConnectionString(path, key, pooling, mode));
        try
        {
            connection.Open();
            using var probe = connection.CreateCommand();
            // busy_timeout makes SQLite itself wait for a writer's lock (on top of Microsoft.Data.Sqlite's own retry),
            // so concurrent writers to one user's DB queue instead of surfacing SQLITE_BUSY.
            probe.CommandText = "SELECT count(*) FROM sqlite_schema;";
            probe.ExecuteScalar();
            probe.CommandText = $"PRAGMA busy_timeout = {BusyTimeoutSeconds * 1000}; PRAGMA cache_size = -{PageCacheKiB};";
            probe.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

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
