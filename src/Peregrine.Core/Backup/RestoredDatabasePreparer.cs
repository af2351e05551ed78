using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// Turns an uploaded plain SQLite file into the user's DB: it must be SQLite, intact and a Peregrine schema; it is then
/// migrated to the current schema and, in cloud mode, encrypted with the user's raw key. All on the staged copy.
/// </summary>
public sealed class RestoredDatabasePreparer
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    public void Prepare(string stagedPath, DatabaseKey? key)
    {
        EnsurePlainSqlite(stagedPath);
        try
        {
            using var connection = SqliteDatabase.Open(stagedPath, key: null, pooling: false);
            EnsureIntact(connection);
            EnsurePeregrineSchema(connection);
            SchemaUpgrade.Apply(connection);
        }
        catch (SqliteException)
        {
            throw new InvalidBackupException("The backup's staging.db is not a readable SQLite database.");
        }

        if (key is not null)
        {
            DatabaseCopies.EncryptInPlace(stagedPath, key);
        }

        using var file = new FileStream(stagedPath, FileMode.Open, FileAccess.ReadWrite);
        file.Flush(flushToDisk: true);
    }

    private static void EnsurePlainSqlite(string path)
    {
        var header = new byte[SqliteHeader.Length];
        using var file = File.OpenRead(path);
        if (file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) < header.Length || !header.AsSpan().SequenceEqual(SqliteHeader))
        {
            throw new InvalidBackupException("The backup's staging.db is not a plain SQLite database.");
        }
    }

    private static void EnsureIntact(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA integrity_check;";
        if (command.ExecuteScalar() as string != "ok")
        {
            throw new InvalidBackupException("The backup's staging.db is damaged (integrity check failed).");
        }
    }

    private static void EnsurePeregrineSchema(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM pragma_table_info('jobs') WHERE name IN ('id', 'url', 'title', 'company', 'status');";
        if ((long)command.ExecuteScalar()! != 5)
        {
            throw new InvalidBackupException("The backup's staging.db is not a Peregrine database (no jobs table).");
        }
    }
}
