using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>The forms a user DB file can be found in.</summary>
public enum DatabaseForm
{
    Missing,
    Plaintext,
    RawKey,
    Passphrase,
}

/// <summary>
/// Brings DB files written by upstream into the one form we write (DESIGN decision 2): upstream actually wrote plain
/// SQLite, and documented the 64-hex key as a SQLCipher v4 passphrase. The file is exported into a raw-keyed temp file
/// beside it, checked row for row, flushed, and renamed over the original, so a crash at any point leaves either the
/// untouched original or the complete converted file (plus, at worst, a stale temp that the next open removes).
/// </summary>
public static class LegacyConversion
{
    private const string TempMarker = ".tmp-";
    private static ReadOnlySpan<byte> PlainHeader => "SQLite format 3\0"u8;

    public static DatabaseForm Detect(string path, DatabaseKey key)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return DatabaseForm.Missing;
        }

        if (HasPlainHeader(path))
        {
            return DatabaseForm.Plaintext;
        }

        if (Opens(SqliteDatabase.ConnectionString(path, key, pooling: false, SqliteOpenMode.ReadOnly)))
        {
            return DatabaseForm.RawKey;
        }

        // Tried last: the passphrase form costs a PBKDF2 run (~100 ms), the raw key almost nothing.
        if (Opens(PassphraseConnectionString(path, key)))
        {
            return DatabaseForm.Passphrase;
        }

        throw new InvalidDataException($"{path} opens neither with its owner's key nor in a legacy form");
    }

    /// <summary>Converts a plaintext or passphrase file to the raw-key form; returns the form it found.</summary>
    /// <param name="afterTempWritten">Test seam: runs once the temp file is complete and flushed, before the rename.</param>
    public static DatabaseForm ConvertIfLegacy(string path, DatabaseKey key, Action<string>? afterTempWritten = null)
    {
        var form = Detect(path, key);
        if (form is DatabaseForm.Plaintext or DatabaseForm.Passphrase)
        {
            Convert(path, key, form, afterTempWritten);
        }

        return form;
    }

    /// <summary>
    /// A temp path beside the DB for a copy of it (conversion, backup snapshot, restore staging): same filesystem, so a
    /// rename is atomic, inside the owner's tree, and named so that <see cref="RemoveStaleTemps"/> finds it after a crash.
    /// </summary>
    public static string NewTempPath(string path) => $"{path}{TempMarker}{Guid.NewGuid():N}";

    /// <summary>Removes temp files and folders a crashed conversion, export or restore left beside <paramref name="path"/>.</summary>
    public static int RemoveStaleTemps(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        var pattern = Path.GetFileName(path) + TempMarker + "*";
        var staleFiles = Directory.GetFiles(directory, pattern);
        foreach (var file in staleFiles)
        {
            File.Delete(file);
        }

        var staleFolders = Directory.GetDirectories(directory, pattern);
        foreach (var folder in staleFolders)
        {
            Directory.Delete(folder, recursive: true);
        }

        return staleFiles.Length + staleFolders.Length;
    }

    /// <summary>Upstream's documented form: SQLCipher v4 defaults with the hex string as a passphrase (<c>PRAGMA key='…'</c>).</summary>
    internal static string PassphraseConnectionString(string path, DatabaseKey key, SqliteOpenMode mode = SqliteOpenMode.ReadOnly) =>
        new SqliteConnectionStringBuilder
        {
            DataSource = SqliteDatabase.CipherUri(path, "sqlcipher", legacy: 4),
            Mode = mode,
            Pooling = false,
            Password = key.ToHex(),
        }.ToString();

    private static void Convert(string path, DatabaseKey key, DatabaseForm form, Action<string>? afterTempWritten)
    {
        var temp = NewTempPath(path);
        try
        {
            ExportTo(path, key, form, temp);
            DurableFile.FlushFile(temp);
        }
        catch
        {
            DeleteWithJournal(temp);
            throw;
        }

        afterTempWritten?.Invoke(temp);
        // The original's WAL (if upstream left it in WAL mode) was checkpointed into it by the export; a leftover
        // -wal/-shm must not be replayed against the new, differently keyed file.
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        DurableFile.ReplaceWith(temp, path);
    }

    private static void ExportTo(string path, DatabaseKey key, DatabaseForm form, string temp)
    {
        Dictionary<string, long> expected;
        using (var converted = SqliteDatabase.Open(temp, key, pooling: false))
        {
            // Empty key = a plain file; otherwise the engine's default scheme (SQLCipher v4) with the hex as passphrase.
            var legacyKey = form == DatabaseForm.Plaintext ? string.Empty : key.ToHex();
            converted.Execute("ATTACH DATABASE @path AS legacy KEY @legacyKey;", new { path, legacyKey });
            converted.Execute("PRAGMA legacy.wal_checkpoint(TRUNCATE);");
            expected = RowCounts(converted, "legacy");
            CopySchemaAndRows(converted);
            converted.Execute("DETACH DATABASE legacy;");
        }

        // Read back through the normal raw-key recipe: proves the temp is in the form every later open expects.
        using var check = SqliteDatabase.Open(temp, key, pooling: false, SqliteOpenMode.ReadOnly);
        var actual = RowCounts(check, "main");
        if (!expected.OrderBy(p => p.Key).SequenceEqual(actual.OrderBy(p => p.Key)))
        {
            throw new InvalidDataException($"conversion of {path} did not preserve its rows; the original is unchanged");
        }
    }

    /// <summary>
    /// sqlcipher_export by hand (SQLite3 Multiple Ciphers has no such function): tables, then rows, then indexes,
    /// triggers and views (after the rows, so no trigger fires on copied data), then AUTOINCREMENT counters and user_version.
    /// </summary>
    private static void CopySchemaAndRows(SqliteConnection converted)
    {
        const string objects = """
            SELECT type, name, sql FROM legacy.sqlite_schema
            WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
            ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 ELSE 2 END, rowid;
            """;

        var schema = converted.Query<(string Type, string Name, string Sql)>(objects).ToList();
        var userVersion = converted.ExecuteScalar<long>("PRAGMA legacy.user_version;");
        // Rows arrive in table order, not dependency order.
        converted.Execute("PRAGMA foreign_keys = OFF;");
        using var transaction = converted.BeginTransaction();
        foreach (var table in schema.Where(o => o.Type == "table"))
        {
            converted.Execute(table.Sql, transaction: transaction);
            var name = Quote(table.Name);
            converted.Execute($"INSERT INTO main.{name} SELECT * FROM legacy.{name};", transaction: transaction);
        }

        foreach (var other in schema.Where(o => o.Type != "table"))
        {
            converted.Execute(other.Sql, transaction: transaction);
        }

        if (converted.ExecuteScalar<long>("SELECT count(*) FROM legacy.sqlite_schema WHERE name = 'sqlite_sequence';", transaction: transaction) > 0)
        {
            converted.Execute("DELETE FROM main.sqlite_sequence; INSERT INTO main.sqlite_sequence SELECT * FROM legacy.sqlite_sequence;", transaction: transaction);
        }

        converted.Execute($"PRAGMA main.user_version = {userVersion};", transaction: transaction);
        transaction.Commit();
    }

    private static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static Dictionary<string, long> RowCounts(SqliteConnection connection, string schema)
    {
        var tables = connection.Query<string>(
            $"SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%';");
        return tables.ToDictionary(t => t, t => connection.ExecuteScalar<long>($"SELECT count(*) FROM {schema}.{Quote(t)};"));
    }

    private static bool HasPlainHeader(string path)
    {
        Span<byte> header = stackalloc byte[16];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length && header.SequenceEqual(PlainHeader);
    }

    private static bool Opens(string connectionString)
    {
        try
        {
            using var connection = new KeyHidingConnection(connectionString);
            connection.Open();
            connection.ExecuteScalar("SELECT count(*) FROM sqlite_schema;");
            return true;
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 26)
        {
            return false;
        }
    }

    private static void DeleteWithJournal(string file)
    {
        File.Delete(file);
        File.Delete(file + "-journal");
    }
}
