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
/// SQLite, and documented the 64-hex key as a SQLCipher v4 passphrase. The file's rows are copied into a raw-keyed temp
/// file beside it (our schema, never the file's), checked row for row, flushed, and renamed over the original, so a crash at any point leaves either the
/// untouched original or the complete converted file (plus, at worst, a stale temp that the next open removes).
/// </summary>
public static class LegacyConversion
{
    private const string TempMarker = ".tmp-";

    public static DatabaseForm Detect(string path, DatabaseKey key)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return DatabaseForm.Missing;
        }

        if (DatabaseFileHeader.IsPlain(path))
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

    /// <summary>
    /// Converts a plaintext or passphrase file to the raw-key form: a new file built from <paramref name="migrations"/>
    /// receives the rows of the tables and columns our schema knows (<see cref="DatabaseImport"/>).
    /// </summary>
    /// <param name="afterTempWritten">Test seam: runs once the temp file is complete and flushed, before the rename.</param>
    public static LegacyConversionResult ConvertIfLegacy(
        string path, DatabaseKey key, MigrationSet migrations, TimeProvider time, Action<string>? afterTempWritten = null)
    {
        var form = Detect(path, key);
        var leftBehind = form is DatabaseForm.Plaintext or DatabaseForm.Passphrase
            ? Convert(path, key, form, migrations, time, afterTempWritten)
            : [];
        return new LegacyConversionResult(form, leftBehind);
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

    private static IReadOnlyList<string> Convert(string path, DatabaseKey key, DatabaseForm form, MigrationSet migrations, TimeProvider time, Action<string>? afterTempWritten)
    {
        var temp = NewTempPath(path);
        IReadOnlyList<string> leftBehind;
        try
        {
            // The file came from outside the service (upstream, a copy placed by hand): untrusted like any upload.
            var source = form == DatabaseForm.Plaintext ? UntrustedDatabase.PlainConnectionString(path) : PassphraseConnectionString(path, key);
            using (var legacy = UntrustedDatabase.Open(source))
            {
                leftBehind = DatabaseImport.Copy(legacy, temp, key, migrations, time);
            }

            DurableFile.FlushFile(temp);
        }
        catch
        {
            DeleteWithJournal(temp);
            throw;
        }

        afterTempWritten?.Invoke(temp);
        // The read-only copy read the original's WAL (if upstream left it in WAL mode); a leftover -wal/-shm must not
        // be replayed against the new, differently keyed file.
        File.Delete(path + "-wal");
        File.Delete(path + "-shm");
        DurableFile.ReplaceWith(temp, path);
        return leftBehind;
    }

    private static bool Opens(string connectionString)
    {
        try
        {
            using var connection = new KeyHidingConnection(connectionString, unpooled: true);
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

/// <summary>The form a file was found in, and what a conversion left behind (objects our schema does not know).</summary>
public sealed record LegacyConversionResult(DatabaseForm Form, IReadOnlyList<string> LeftBehind);
