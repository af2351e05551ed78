using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// Turns an uploaded plain SQLite file into the user's DB, all on the staged copy: it must be SQLite, intact and a
/// Peregrine schema; it is migrated to the current schema and, in cloud mode, converted to the user's raw key.
/// </summary>
public sealed class RestoredDatabasePreparer(IOptions<StorageOptions> storage, TimeProvider time)
{
    private static readonly byte[] SqliteHeader = "SQLite format 3\0"u8.ToArray();

    public void Prepare(string stagedPath, DatabaseKey? key)
    {
        EnsurePlainSqlite(stagedPath);
        try
        {
            using (var connection = SqliteDatabase.Open(stagedPath, key: null, pooling: false))
            {
                EnsureIntact(connection);
                EnsurePeregrineSchema(connection);
                SchemaMigrator.Migrate(connection, storage.Value.Migrations, time);
            }

            if (key is not null)
            {
                LegacyConversion.ConvertIfLegacy(stagedPath, key);
            }
        }
        catch (SqliteException)
        {
            throw new InvalidBackupException("The backup's staging.db is not a readable SQLite database.");
        }
        catch (MigrationFailedException)
        {
            throw new InvalidBackupException("The backup's staging.db cannot be upgraded to the current schema.");
        }

        DurableFile.FlushFile(stagedPath);
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
