using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// The portable plain form of a user's DB. SQLite3 Multiple Ciphers' backup API refuses to copy between encrypted and
/// plain files (different reserved bytes per page), so the export takes a <c>VACUUM INTO</c> snapshot (consistent even
/// while writers continue; still encrypted) and removes the key with <c>PRAGMA rekey</c> on that private copy.
/// The other direction is <see cref="LegacyConversion"/>, which turns any plain file into the raw-key form.
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

    private static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
}
