using Dapper;
using Microsoft.Extensions.Logging;
using Peregrine.Tasks;

namespace Peregrine.Storage;

/// <summary>
/// What the first open of a user's DB in this process does, once: removes stale conversion temps, rekeys a file still
/// at a previous server secret, converts a legacy file to the raw-key form (or creates a new one), turns on WAL, applies
/// missing migrations and fails the tasks a previous process left running. <see cref="UserDatabases"/> decides when.
/// </summary>
internal sealed class DatabasePreparation(StorageOptions options, TimeProvider time, ILogger logger)
{
    private const string FailureMarker = "Peregrine.UserDatabasePreparationFailed";

    /// <summary>True when <paramref name="exception"/> is why a user's DB could not be prepared for its first open.</summary>
    public static bool IsFailure(Exception exception) => exception.Data.Contains(FailureMarker);

    /// <summary>Prepares the file at <paramref name="path"/> (normalised) and returns which file that was.</summary>
    public FileIdentity? Prepare(DatabaseLocation location, string path)
    {
        try
        {
            return PrepareFile(location, path);
        }
        catch (Exception e)
        {
            // Marked rather than wrapped: callers keep the original exception, and the error handler can still tell
            // "this user's DB cannot be opened" (a problem the user can fix by restoring) from a fault of the service.
            e.Data[FailureMarker] = true;
            throw;
        }
    }

    private FileIdentity? PrepareFile(DatabaseLocation location, string path)
    {
        SqliteEngine.EnsureLoaded();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (LegacyConversion.RemoveStaleTemps(path) > 0)
        {
            logger.LogWarning("Removed temp files of an interrupted conversion beside the DB of {OwnerId}", location.OwnerId);
        }

        var rotation = KeyRotation.EnsureCurrent(location, options.RekeyWait);
        if (rotation is KeyState.Rekeyed)
        {
            logger.LogInformation("Rekeyed the DB of {OwnerId} to the current server secret", location.OwnerId);
        }

        if (location.Key is not null)
        {
            var conversion = LegacyConversion.ConvertIfLegacy(path, location.Key, options.Migrations, time, options.AfterConversionTempWritten);
            if (conversion.Form is DatabaseForm.Plaintext or DatabaseForm.Passphrase)
            {
                logger.LogInformation(
                    "Converted the {Form} DB of {OwnerId} to the raw-key form; left behind: {LeftBehind}",
                    conversion.Form, location.OwnerId, conversion.LeftBehind.Count == 0 ? "nothing" : string.Join(", ", conversion.LeftBehind));
            }
        }

        if (!File.Exists(path))
        {
            NewDatabaseFile.TryCreate(path, location.Key, options.Migrations, time);
        }

        using var connection = SqliteDatabase.Open(path, location.Key, pooling: false);
        connection.Execute("PRAGMA journal_mode = WAL;");
        if (rotation is not (KeyState.Current or KeyState.Rekeyed))
        {
            KeyRotation.RecordCurrent(location);
        }

        var applied = SchemaMigrator.Migrate(connection, options.Migrations, time);
        if (applied.Count > 0)
        {
            logger.LogInformation("Migrated the DB of {OwnerId}: {Versions}", location.OwnerId, string.Join(", ", applied));
        }

        var interrupted = options.FailInterruptedTasks ? BackgroundTasks.FailInterrupted(connection, time) : 0;
        if (interrupted > 0)
        {
            logger.LogInformation("Failed {Count} task(s) of {OwnerId} interrupted by restart", interrupted, location.OwnerId);
        }

        return FileIdentity.Of(path);
    }
}
