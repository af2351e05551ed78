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
        for (var i = 0; i < migrations.Migrations.Count; i++)
        {
            var migration = migrations.Migrations[i];
            if (Apply(connection, migration, time, isBaseline: i == 0))
            {
                applied.Add(migration.Version);
            }
        }

        return applied;
    }

    /// <summary>
    /// Upstream files can predate some of upstream's own columns (its runtime added them with ALTER TABLE at start-up,
    /// <c>application_qa</c> only on first use), and the baseline's <c>CREATE TABLE IF NOT EXISTS</c> leaves an existing
    /// table as it is. So the baseline is also built in memory, and every column it declares that the file lacks is
    /// added, with its type and constant default (SQLite cannot add a column with an expression default).
    /// </summary>
    private static void AddMissingBaselineColumns(SqliteConnection connection, Migration baseline, SqliteTransaction transaction)
    {
        using var reference = new SqliteConnection("Data Source=:memory:");
        reference.Open();
        reference.Execute(baseline.Sql);
        var tables = reference.Query<string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%';");
        foreach (var table in tables)
        {
            const string columns = "SELECT name AS Name, type AS Type, dflt_value AS DefaultValue FROM pragma_table_info(@table);";
            var present = connection.Query<string>("SELECT name FROM pragma_table_info(@table);", new { table }, transaction).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var column in reference.Query<(string Name, string Type, string? DefaultValue)>(columns, new { table }).Where(c => !present.Contains(c.Name)))
            {
                var constantDefault = column.DefaultValue is { } value && !value.StartsWith('(') ? $" DEFAULT {value}" : string.Empty;
                connection.Execute($"ALTER TABLE \"{table}\" ADD COLUMN \"{column.Name}\" {column.Type}{constantDefault};", transaction: transaction);
            }
        }
    }

    public static IReadOnlyList<string> AppliedVersions(SqliteConnection connection)
    {
        connection.Execute(CreateTrackingTable);
        return [.. connection.Query<string>("SELECT version FROM schema_migrations ORDER BY version;")];
    }

    private static bool Apply(SqliteConnection connection, Migration migration, TimeProvider time, bool isBaseline)
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
            if (isBaseline)
            {
                AddMissingBaselineColumns(connection, migration, transaction);
            }

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
