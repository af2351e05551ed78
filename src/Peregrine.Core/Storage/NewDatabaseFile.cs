using Dapper;

namespace Peregrine.Storage;

/// <summary>
/// A user's first DB is built beside its final name and renamed into place: 2 fsyncs (the file, then its directory)
/// instead of the 11 that creating it in place cost (a rollback-journal commit to switch to WAL, a WAL commit per
/// migration, a checkpoint on close), which were most of a new user's first request. The crash guarantee
/// is the same or stronger: until the rename the temp holds nothing of value, so it is written without syncs and a
/// crash leaves only a temp that <see cref="LegacyConversion.RemoveStaleTemps"/> removes at the next preparation;
/// after it the complete, migrated file is on disk under its name.
/// </summary>
internal static class NewDatabaseFile
{
    /// <summary>Creates <paramref name="path"/> fully migrated; false when a file appeared there meanwhile (it is then left as it is).</summary>
    public static bool TryCreate(string path, DatabaseKey? key, MigrationSet migrations, TimeProvider time)
    {
        var temp = LegacyConversion.NewTempPath(path);
        try
        {
            using (var connection = SqliteDatabase.Open(temp, key, pooling: false))
            {
                // A memory journal still lets a failing migration roll back; nothing here needs to survive a crash.
                connection.Execute("PRAGMA journal_mode = MEMORY; PRAGMA synchronous = OFF;");
                SchemaMigrator.Migrate(connection, migrations, time);
                connection.Execute("PRAGMA journal_mode = WAL;");
            }

            DurableFile.FlushFile(temp);
            return DurableFile.TryMoveNew(temp, path);
        }
        finally
        {
            File.Delete(temp);
        }
    }
}
