using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// Moving a DB between the encrypted and the portable plain form. SQLite3 Multiple Ciphers has no
/// <c>sqlcipher_export()</c> and its backup API refuses to copy between encrypted and plain files (different reserved
/// bytes per page), so both directions use <c>VACUUM INTO</c> (a consistent snapshot, even while writers continue)
/// and <c>PRAGMA rekey</c> on a private copy that no other connection can see.
/// </summary>
public static class DatabaseCopies
{
    /// <summary>Writes a consistent plain-SQLite copy of <paramref name="source"/>'s DB to <paramref name="destination"/>.</summary>
    public static void ExportPlaintext(SqliteConnection source, DatabaseKey? key, string destination)
    {
        using (var vacuum = source.CreateCommand())
        {
            // VACUUM INTO keeps the source's cipher and key: the snapshot is still encrypted at this point.
            vacuum.CommandText = $"VACUUM INTO {Quote(destination)};";
            vacuum.ExecuteNonQuery();
        }

        if (key is null)
        {
            return;
        }

        using var copy = SqliteDatabase.Open(destination, key, pooling: false);
        using var rekey = copy.CreateCommand();
        rekey.CommandText = "PRAGMA rekey = '';";
        rekey.ExecuteNonQuery();
    }

    /// <summary>Encrypts the plain SQLite file at <paramref name="path"/> in place with the raw key (SQLCipher v4 scheme).</summary>
    public static void EncryptInPlace(string path, DatabaseKey key)
    {
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = SqliteDatabase.CipherUri(path, "sqlcipher", legacy: 4),
            Pooling = false,
        }.ToString();
        using (var connection = new SqliteConnection(connectionString))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            // rekey cannot rewrite a WAL file; the restored DB returns to WAL below, keyed.
            command.CommandText = $"PRAGMA journal_mode = DELETE; PRAGMA rekey = \"{key.ToRawKeyLiteral()}\";";
            command.ExecuteNonQuery();
        }

        using var keyed = SqliteDatabase.Open(path, key, pooling: false);
        using var wal = keyed.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode = WAL;";
        wal.ExecuteNonQuery();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
