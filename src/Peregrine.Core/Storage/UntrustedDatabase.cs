using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Peregrine.Storage;

/// <summary>
/// A DB file whose bytes came from a user (a restore upload, a legacy file found in a tree), opened as sqlite.org's
/// "Defense Against The Dark Arts" advises: read-only, defensive mode, triggers and views off, functions in its schema
/// untrusted, cell sizes checked, value and statement lengths bounded, no ATTACH, and a <c>quick_check</c> before
/// anything is read. Only its ordinary tables are read, by statements we write; its schema text is never executed.
/// </summary>
public sealed class UntrustedDatabase : IDisposable
{
    /// <summary>Largest single value read (the longest cover letter or scraped description is a few hundred KB).</summary>
    public const int MaxValueBytes = 32 * 1024 * 1024;

    private readonly SqliteConnection _connection;

    private UntrustedDatabase(SqliteConnection connection, IReadOnlyList<SchemaObject> objects)
    {
        _connection = connection;
        Objects = objects;
    }

    /// <summary>Everything its schema declares, except SQLite's own objects.</summary>
    public IReadOnlyList<SchemaObject> Objects { get; }

    /// <summary>A plain SQLite file; <see cref="Open"/> adds read-only mode.</summary>
    public static string PlainConnectionString(string path) =>
        new SqliteConnectionStringBuilder { DataSource = path }.ToString();

    /// <summary>Opens and checks the file; a damaged file throws <see cref="InvalidDataException"/> before any row is read.</summary>
    public static UntrustedDatabase Open(string connectionString)
    {
        SqliteEngine.EnsureLoaded();
        var builder = new SqliteConnectionStringBuilder(connectionString) { Mode = SqliteOpenMode.ReadOnly, Pooling = false, ForeignKeys = false };
        // Key-hiding: Dapper keeps every connection string it caches a query for, and this one can carry the key.
        var connection = new KeyHidingConnection(builder.ToString(), unpooled: true);
        try
        {
            connection.Open();
            ApplyDefences(connection);
            var check = connection.Query<string>("PRAGMA quick_check(1);").FirstOrDefault();
            if (check != "ok")
            {
                throw new InvalidDataException("the database file is damaged (quick_check failed)");
            }

            return new UntrustedDatabase(connection, ReadObjects(connection));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>Column names of one of its ordinary tables, in declaration order.</summary>
    public IReadOnlyList<string> ColumnsOf(string table) =>
        [.. _connection.Query<string>("SELECT name FROM pragma_table_info(@table);", new { table })];

    public long CountRows(string table) => _connection.ExecuteScalar<long>($"SELECT count(*) FROM main.{Sql.Quote(table)};");

    /// <summary>The rows of <paramref name="table"/>, only the named columns (names already checked against our schema).</summary>
    public SqliteDataReader ReadRows(string table, IReadOnlyList<string> columns)
    {
        var command = _connection.CreateCommand();
        command.CommandText = $"SELECT {string.Join(", ", columns.Select(Sql.Quote))} FROM main.{Sql.Quote(table)};";
        return command.ExecuteReader(System.Data.CommandBehavior.Default);
    }

    /// <summary>The AUTOINCREMENT counters it records, so restored ids are never reused.</summary>
    public IReadOnlyDictionary<string, long> Sequences()
    {
        if (!Objects.Any(o => o.Type == "table" && o.Name.Equals("sqlite_sequence", StringComparison.OrdinalIgnoreCase)))
        {
            return new Dictionary<string, long>();
        }

        const string sql = "SELECT name, seq FROM main.sqlite_sequence WHERE typeof(name) = 'text' AND typeof(seq) = 'integer';";
        return _connection.Query<(string Name, long Seq)>(sql)
            .GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Max(s => s.Seq), StringComparer.OrdinalIgnoreCase);
    }

    public void Dispose() => _connection.Dispose();

    private static void ApplyDefences(SqliteConnection connection)
    {
        var db = connection.Handle!;
        Configure(db, raw.SQLITE_DBCONFIG_DEFENSIVE, 1);
        Configure(db, raw.SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0);
        Configure(db, raw.SQLITE_DBCONFIG_ENABLE_TRIGGER, 0);
        Configure(db, raw.SQLITE_DBCONFIG_ENABLE_VIEW, 0);
        raw.sqlite3_limit(db, raw.SQLITE_LIMIT_LENGTH, MaxValueBytes);
        raw.sqlite3_limit(db, raw.SQLITE_LIMIT_SQL_LENGTH, 64 * 1024);
        raw.sqlite3_limit(db, raw.SQLITE_LIMIT_ATTACHED, 0);
        raw.sqlite3_limit(db, raw.SQLITE_LIMIT_EXPR_DEPTH, 100);
        connection.Execute("PRAGMA trusted_schema = OFF; PRAGMA cell_size_check = ON; PRAGMA query_only = ON; PRAGMA mmap_size = 0;");
    }

    private static void Configure(sqlite3 db, int option, int value)
    {
        if (raw.sqlite3_db_config(db, option, value, out var applied) != raw.SQLITE_OK || applied != value)
        {
            throw new InvalidOperationException($"the SQLite engine refused defensive option {option}");
        }
    }

    private static List<SchemaObject> ReadObjects(SqliteConnection connection)
    {
        // pragma_table_list tells ordinary tables from virtual and shadow ones without running any module's code.
        const string tables = "SELECT name AS Name, type AS Kind FROM pragma_table_list WHERE schema = 'main' AND name NOT LIKE 'sqlite_%';";
        const string others = "SELECT type AS Type, name AS Name FROM main.sqlite_schema WHERE type IN ('index', 'trigger', 'view') AND name NOT LIKE 'sqlite_%';";
        var objects = connection.Query<(string Name, string Kind)>(tables)
            .Where(t => t.Kind != "view")
            .Select(t => new SchemaObject("table", t.Name, IsOrdinaryTable: t.Kind == "table"))
            .ToList();
        objects.AddRange(connection.Query<(string Type, string Name)>(others).Select(o => new SchemaObject(o.Type, o.Name, IsOrdinaryTable: false)));
        if (connection.ExecuteScalar<long>("SELECT count(*) FROM main.sqlite_schema WHERE name = 'sqlite_sequence';") > 0)
        {
            objects.Add(new SchemaObject("table", "sqlite_sequence", IsOrdinaryTable: false));
        }

        return objects;
    }
}

/// <summary>One entry of a file's schema: <see cref="Type"/> is table, index, trigger or view.</summary>
public sealed record SchemaObject(string Type, string Name, bool IsOrdinaryTable);

internal static class Sql
{
    public static string Quote(string identifier) => $"\"{identifier.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
