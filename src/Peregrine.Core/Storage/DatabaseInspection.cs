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
    /// no candidate key opens it.
    /// </summary>
    public static InspectedDatabase OpenReadOnly(DatabaseLocation location)
    {
        var keys = location.Keys ?? throw new ArgumentException("inspection needs the owner's keys", nameof(location));
        var record = KeyRecord.Read(location.Path);
        string? unknown = null;
        foreach (var id in new[] { keys.CurrentId }.Concat(record?.Candidates ?? []).Distinct(StringComparer.Ordinal))
        {
            if (keys.Find(id) is not { } key)
            {
                unknown ??= id;
                continue;
            }

            try
            {
                return new InspectedDatabase(SqliteDatabase.Open(location.Path, key, pooling: false, SqliteOpenMode.ReadOnly), id);
            }
            catch (SqliteException e) when (e.SqliteErrorCode == KeyRotation.NotADatabase)
            {
            }
        }

        throw unknown is not null
            ? new UnknownKeyIdException(location.OwnerId, unknown)
            : new InvalidDataException(record is null
                ? "does not open with the current key, and no key id is recorded"
                : "opens with none of the keys its record names");
    }
}
