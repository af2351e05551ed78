using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// Brings one open DB up to a <see cref="MigrationSet"/> ("pull, don't push": run on open, not by an operator).
/// Each file runs in its own immediate transaction together with its <c>schema_migrations</c> row, so a failed file
/// leaves the DB exactly at the previous version, and a concurrent opener waits instead of applying it twice.
/// </summary>
public static class SchemaMigrator
{
    private const string CreateTrackingTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    TEXT PRIMARY KEY,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        );
        """;

    /// <summary>Applies the missing steps in order and returns their versions (empty when the DB was current).</summary>
    public static IReadOnlyList<string> Migrate(SqliteConnection connection, MigrationSet migrations, TimeProvider time)
    {
        connection.Execute(CreateTrackingTable);
        var applied = new List<string>();
        foreach (var migration in migrations.Migrations)
        {
            if (Apply(connection, migration, time))
            {
                applied.Add(migration.Version);
            }
        }

        return applied;
    }

    public static IReadOnlyList<string> AppliedVersions(SqliteConnection connection)
    {
        connection.Execute(CreateTrackingTable);
        return [.. connection.Query<string>("SELECT version FROM schema_migrations ORDER BY version;")];
    }

    private static bool Apply(SqliteConnection connection, Migration migration, TimeProvider time)
    {
        const string isApplied = "SELECT count(*) FROM schema_migrations WHERE version = @Version;";
        const string record = "INSERT INTO schema_migrations (version, applied_at) VALUES (@Version, @AppliedAt);";

        using var transaction = connection.BeginTransaction(deferred: false);
        if (connection.ExecuteScalar<long>(isApplied, new { migration.Version }, transaction) > 0)
        {
            return false;
        }

        try
        {
            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute(record, new { migration.Version, AppliedAt = Timestamps.Now(time) }, transaction);
            transaction.Commit();
            return true;
        }
        catch (SqliteException e)
        {
            transaction.Rollback();
            throw new MigrationFailedException(migration.Version, e);
        }
    }
}

/// <summary>A schema step failed and was rolled back; the DB stays at the version before it.</summary>
public sealed class MigrationFailedException(string version, Exception inner)
    : Exception($"Migration {version} failed: {inner.Message}", inner)
{
    public string Version { get; } = version;
}
