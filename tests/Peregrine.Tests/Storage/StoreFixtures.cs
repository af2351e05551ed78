using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Tests.Storage;

/// <summary>Builds DB files the way upstream left them, and reads them back without our open helper.</summary>
internal static class StoreFixtures
{
    public static DatabaseKey NewKey() => DatabaseKey.Derive("storage-test-secret", Guid.NewGuid().ToString());

    /// <summary>What upstream actually wrote: plain SQLite with its runtime schema and a few jobs.</summary>
    public static void CreatePlaintextUpstreamDatabase(string path, int jobs) =>
        Populate($"Data Source={path};Pooling=False", jobs);

    /// <summary>Upstream's documented form: SQLCipher v4 defaults, the hex key as a passphrase.</summary>
    public static void CreatePassphraseDatabase(string path, DatabaseKey key, int jobs) =>
        Populate(LegacyConversion.PassphraseConnectionString(path, key, SqliteOpenMode.ReadWriteCreate), jobs);

    public static SqliteConnection OpenPlain(string path)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False;Mode=ReadOnly");
        connection.Open();
        return connection;
    }

    /// <summary>How a stock SQLCipher 4 user opens a raw-keyed file: no URI parameters, compatibility 4, then the key.</summary>
    public static SqliteConnection OpenWithStockSqlCipher4(string path, DatabaseKey key)
    {
        var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        connection.Execute($"PRAGMA cipher_compatibility = 4; PRAGMA key = \"x'{key.ToHex()}'\";");
        return connection;
    }

    public static bool HasPlainHeader(string path) =>
        File.ReadAllBytes(path).AsSpan(0, 16).SequenceEqual("SQLite format 3\0"u8);

    public static long Count(SqliteConnection connection, string table) =>
        connection.ExecuteScalar<long>($"SELECT count(*) FROM {table};");

    private static void Populate(string connectionString, int jobs)
    {
        SqliteEngine.EnsureLoaded();
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        connection.Execute(MigrationSet.Embedded.Migrations[0].Sql);
        for (var i = 0; i < jobs; i++)
        {
            connection.Execute(
                "INSERT INTO jobs (title, company, url, status) VALUES (@title, 'Acme', @url, 'pending');",
                new { title = $"Engineer {i}", url = $"https://jobs.example/{i}" });
        }

        connection.Execute("INSERT INTO job_contacts (job_id, subject) VALUES (1, 'Hello');");
    }
}
