using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>A user DB opened for looking only: no rekey, no migration, no task recovery, nothing written.</summary>
public sealed record InspectedDatabase(SqliteConnection Connection, string KeyId) : IDisposable
{
    /// <summary>The newest applied schema step (e.g. <c>002</c>), or null for a DB without the tracking table.</summary>
    public string? SchemaVersion()
    {
        const string hasTracking = "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'schema_migrations';";
        const string newest = "SELECT max(version) FROM schema_migrations;";
        return Connection.ExecuteScalar<long>(hasTracking) == 0 ? null : Connection.ExecuteScalar<string?>(newest);
    }

    public void Dispose() => Connection.Dispose();
}

public static class DatabaseInspection
{
    /// <summary>
    /// Opens read-only with the current key, else with the key ids its record names (never any other previous key).
    /// Throws <see cref="UnknownKeyIdException"/> for a recorded id no secret has, <see cref="InvalidDataException"/> when
    /// no candidate key opens it, <see cref="DatabaseInUseException"/> while another process keeps rekeying it
    /// (<see cref="RecordedKeys.Open"/>).
    /// </summary>
    public static InspectedDatabase OpenReadOnly(DatabaseLocation location)
    {
        var (connection, keyId) = RecordedKeys.Open(location, key => SqliteDatabase.Open(location.Path, key, pooling: false, SqliteOpenMode.ReadOnly));
        return new InspectedDatabase(connection, keyId);
    }
}
