using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// The one component that opens per-user DBs. Nothing else opens a user's staging.db.
/// (Foundation version: opens keyed, pooled connections; migrations, legacy conversion and LRU bounds come with the storage issue.)
/// </summary>
public sealed class UserDatabases
{
    public SqliteConnection Open(DatabaseLocation location) => SqliteDatabase.Open(location.Path, location.Key);

    public Task<SqliteConnection> OpenAsync(DatabaseLocation location, CancellationToken cancellationToken = default) =>
        Task.FromResult(Open(location));

    /// <summary>Closes the owner's pooled handles: required before the file is replaced (restore) or removed (erasure).</summary>
    public void Evict(DatabaseLocation location)
    {
        using var connection = new SqliteConnection(SqliteDatabase.ConnectionString(location.Path, location.Key));
        SqliteConnection.ClearPool(connection);
    }
}
