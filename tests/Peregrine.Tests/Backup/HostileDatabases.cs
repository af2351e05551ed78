using Microsoft.Data.Sqlite;

namespace Peregrine.Tests.Backup;

/// <summary>Plain SQLite files an attacker (or an unusual but valid upstream install) could upload.</summary>
internal static class HostileDatabases
{
    /// <summary>
    /// Upstream's schema with <paramref name="jobs"/> rows plus a table <paramref name="table"/> whose stored <c>sql</c>
    /// is replaced by <paramref name="sql"/>. SQLite parses only the first statement of a schema entry, so the file opens
    /// normally: the extra statements run only in code that executes the stored text.
    /// </summary>
    public static byte[] WithSchemaSql(string table, string sql, int jobs) => Build(connection =>
    {
        Run(connection, $"""
            {Peregrine.Storage.MigrationSet.Embedded.Migrations[0].Sql}
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {jobs})
            INSERT INTO jobs (title, company, url, status) SELECT 'Engineer ' || i, 'Acme', 'https://jobs.example/' || i, 'pending' FROM n;
            CREATE TABLE "{table}"(a);
            """);
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = $sql WHERE name = $table; PRAGMA writable_schema = OFF;";
        command.Parameters.AddWithValue("$sql", sql);
        command.Parameters.AddWithValue("$table", table);
        command.ExecuteNonQuery();
    });

    /// <summary>Upstream's schema plus an FTS5 index over the jobs (a search feature a fork could have added).</summary>
    public static byte[] WithFts5(int jobs) => Build(connection => Run(connection, $"""
        {Peregrine.Storage.MigrationSet.Embedded.Migrations[0].Sql}
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {jobs})
        INSERT INTO jobs (title, company, url, status) SELECT 'Engineer ' || i, 'Acme', 'https://jobs.example/' || i, 'pending' FROM n;
        CREATE VIRTUAL TABLE jobs_search USING fts5(title, description);
        INSERT INTO jobs_search (title, description) SELECT title, description FROM jobs;
        """));

    private static byte[] Build(Action<SqliteConnection> write)
    {
        Peregrine.Storage.SqliteEngine.EnsureLoaded();
        var path = Path.Combine(Path.GetTempPath(), $"peregrine-hostile-{Guid.NewGuid():N}.db");
        try
        {
            using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
            {
                connection.Open();
                write(connection);
            }

            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void Run(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
