using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Storage;

/// <summary>
/// Copies an <see cref="UntrustedDatabase"/> into a new file whose schema comes only from our migrations: table by
/// table and column by column, for the names both sides know, with every value bound as a parameter. What the source
/// has beyond our schema (tables, columns, indexes, triggers, views) is left behind and reported. Two connections and
/// no ATTACH: nothing in the source can name, reach or run anything in the destination.
/// </summary>
public static class DatabaseImport
{
    /// <summary>Writes <paramref name="destination"/> (which must not exist) and returns what was left behind.</summary>
    public static IReadOnlyList<string> Copy(UntrustedDatabase source, string destination, DatabaseKey? key, MigrationSet migrations, TimeProvider time)
    {
        var copied = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        var leftBehind = new List<string>();
        using (var target = SqliteDatabase.Open(destination, key, pooling: false))
        {
            SchemaMigrator.Migrate(target, migrations, time);
            var ours = target.Query<(string Type, string Name)>("SELECT type, name FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%';")
                .Select(o => (o.Type, o.Name.ToLowerInvariant())).ToHashSet();
            // A virtual or shadow table is never ours, even under one of our names: reading it would run its module.
            bool IsOurs(SchemaObject o) => (o.Type != "table" || o.IsOrdinaryTable) && ours.Contains((o.Type, o.Name.ToLowerInvariant()));
            leftBehind.AddRange(source.Objects.Where(o => o.Name != "sqlite_sequence" && !IsOurs(o)).Select(o => $"{o.Type} {o.Name}"));

            // Rows arrive in table order, not dependency order; upstream never enforced its foreign keys either.
            target.Execute("PRAGMA foreign_keys = OFF;");
            using var transaction = target.BeginTransaction();
            foreach (var table in source.Objects.Where(o => o.Type == "table" && IsOurs(o) && IsCopied(o.Name)))
            {
                var theirs = source.ColumnsOf(table.Name);
                var known = target.Query<string>("SELECT name FROM pragma_table_info(@table);", new { table = table.Name }, transaction)
                    .ToHashSet(StringComparer.OrdinalIgnoreCase);
                var shared = theirs.Where(known.Contains).ToList();
                leftBehind.AddRange(theirs.Where(c => !known.Contains(c)).Select(c => $"column {table.Name}.{c}"));
                copied[table.Name] = shared.Count == 0 ? 0 : CopyRows(source, target, transaction, table.Name, shared);
            }

            RaiseSequences(source, target, transaction, copied.Keys);
            transaction.Commit();
        }

        // Read back through the normal recipe: proves the file is in the form every later open expects, and complete.
        using var check = SqliteDatabase.Open(destination, key, pooling: false, SqliteOpenMode.ReadOnly);
        foreach (var (table, rows) in copied)
        {
            if (check.ExecuteScalar<long>($"SELECT count(*) FROM main.{Sql.Quote(table)};") != rows || source.CountRows(table) != rows)
            {
                throw new InvalidDataException($"the copy of table {table} lost rows");
            }
        }

        return leftBehind;
    }

    /// <summary>Our own bookkeeping is rebuilt by the migrations, never taken from a file.</summary>
    private static bool IsCopied(string table) => !table.Equals("schema_migrations", StringComparison.OrdinalIgnoreCase);

    private static long CopyRows(UntrustedDatabase source, SqliteConnection target, SqliteTransaction transaction, string table, List<string> columns)
    {
        using var insert = target.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"""
            INSERT INTO main.{Sql.Quote(table)} ({string.Join(", ", columns.Select(Sql.Quote))})
            VALUES ({string.Join(", ", columns.Select((_, i) => $"$p{i}"))});
            """;
        var parameters = columns.Select((_, i) => insert.Parameters.Add(new SqliteParameter($"$p{i}", null))).ToArray();
        long rows = 0;
        using var reader = source.ReadRows(table, columns);
        while (reader.Read())
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                parameters[i].Value = reader.GetValue(i);
            }

            try
            {
                insert.ExecuteNonQuery();
            }
            catch (SqliteException e)
            {
                throw new InvalidDataException($"a row of table {table} does not fit the current schema ({e.Message.Replace("SQLite Error ", string.Empty, StringComparison.Ordinal)})");
            }

            rows++;
        }

        return rows;
    }

    private static void RaiseSequences(UntrustedDatabase source, SqliteConnection target, SqliteTransaction transaction, IEnumerable<string> tables)
    {
        const string raise = """
            UPDATE sqlite_sequence SET seq = max(seq, @seq) WHERE name = @name;
            INSERT INTO sqlite_sequence (name, seq)
            SELECT @name, @seq WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = @name)
              AND EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = @name AND sql LIKE '%AUTOINCREMENT%');
            """;

        var sequences = source.Sequences();
        foreach (var table in tables)
        {
            if (sequences.TryGetValue(table, out var seq))
            {
                var name = target.ExecuteScalar<string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name = @table COLLATE NOCASE;", new { table }, transaction);
                target.Execute(raise, new { name, seq }, transaction);
            }
        }
    }
}
