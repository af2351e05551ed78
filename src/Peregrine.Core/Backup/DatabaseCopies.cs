using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// The portable plain form of a user's DB. SQLite3 Multiple Ciphers' backup API refuses to copy between encrypted and
/// plain files (different reserved bytes per page), so the export takes a <c>VACUUM INTO</c> snapshot (consistent even
/// while writers continue) whose target URI carries an empty <c>key</c>: the copy is written plain in one pass.
/// The other direction is <see cref="LegacyConversion"/>, which turns any plain file into the raw-key form.
/// </summary>
public static class DatabaseCopies
{
    /// <summary>Writes a consistent plain-SQLite copy of <paramref name="source"/>'s DB to <paramref name="destination"/>.</summary>
    public static void ExportPlaintext(SqliteConnection source, DatabaseKey? key, string destination)
    {
        // Without a target key VACUUM INTO keeps the source's cipher. The alternative, PRAGMA rekey = '' on the copy,
        // rebuilds the file through a temp DB that our build keeps in memory (SQLITE_TEMP_STORE=2): as large as the DB.
        var target = key is null ? destination : SqliteDatabase.FileUri(destination, "key=");
        using var vacuum = source.CreateCommand();
        vacuum.CommandText = $"VACUUM INTO {Quote(target)};";
        vacuum.ExecuteNonQuery();
    }

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
