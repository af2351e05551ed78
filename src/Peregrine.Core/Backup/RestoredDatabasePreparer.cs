using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// Turns an uploaded plain SQLite file into the user's DB, all inside the staging folder: the upload must be SQLite,
/// intact and a Peregrine schema; it is opened as an <see cref="UntrustedDatabase"/>, and its rows are copied into a
/// new file built from our migrations (in cloud mode keyed with the user's raw key). Nothing of its schema survives.
/// </summary>
public sealed class RestoredDatabasePreparer(IOptions<StorageOptions> storage, TimeProvider time)
{
    /// <summary>Replaces the staged upload at <paramref name="stagedPath"/> with the prepared DB; returns what was left behind.</summary>
    public IReadOnlyList<string> Prepare(string stagedPath, DatabaseKey? key)
    {
        EnsurePlainSqlite(stagedPath);
        var prepared = stagedPath + ".prepared";
        IReadOnlyList<string> leftBehind;
        try
        {
            using (var upload = UntrustedDatabase.Open(UntrustedDatabase.PlainConnectionString(stagedPath)))
            {
                EnsurePeregrineSchema(upload);
                leftBehind = DatabaseImport.Copy(upload, prepared, key, storage.Value.Migrations, time);
            }
        }
        catch (SqliteException)
        {
            throw new InvalidBackupException("The backup's staging.db is not a readable SQLite database.");
        }
        catch (InvalidDataException e)
        {
            throw new InvalidBackupException($"The backup's staging.db cannot be restored: {e.Message}.");
        }
        catch (MigrationFailedException)
        {
            throw new InvalidBackupException("The backup's staging.db cannot be upgraded to the current schema.");
        }

        DurableFile.FlushFile(prepared);
        File.Move(prepared, stagedPath, overwrite: true);
        return leftBehind;
    }

    private static void EnsurePlainSqlite(string path)
    {
        if (!DatabaseFileHeader.IsPlain(path))
        {
            throw new InvalidBackupException("The backup's staging.db is not a plain SQLite database.");
        }
    }

    private static void EnsurePeregrineSchema(UntrustedDatabase upload)
    {
        var jobs = upload.Objects.FirstOrDefault(o => o.IsOrdinaryTable && o.Name.Equals("jobs", StringComparison.OrdinalIgnoreCase));
        string[] required = ["id", "url", "title", "company", "status"];
        if (jobs is null || required.Except(upload.ColumnsOf(jobs.Name), StringComparer.OrdinalIgnoreCase).Any())
        {
            throw new InvalidBackupException("The backup's staging.db is not a Peregrine database (no jobs table).");
        }
    }
}
