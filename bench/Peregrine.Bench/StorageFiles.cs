using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Bench;

/// <summary>DB files in the three forms a user's staging.db can have, each with the same jobs.</summary>
internal sealed class StorageFiles : IDisposable
{
    public StorageFiles(int jobs)
    {
        SqliteEngine.EnsureLoaded();
        Directory.CreateDirectory(Root);
        Encrypted = new DatabaseLocation("bench-encrypted", Path.Combine(Root, "rawkey.db"), Key);
        Plaintext = new DatabaseLocation("bench-plain", Path.Combine(Root, "plain.db"), null);
        Fill(Encrypted, jobs);
        Fill(Plaintext, jobs);
        PassphrasePath = Path.Combine(Root, "passphrase.db");
        using var passphrase = new SqliteConnection(LegacyConversion.PassphraseConnectionString(PassphrasePath, Key, SqliteOpenMode.ReadWriteCreate));
        passphrase.Open();
        passphrase.Execute(MigrationSet.Embedded.Migrations[0].Sql);
    }

    public static DatabaseKey Key { get; } = DatabaseKey.Derive("bench-secret", "00000000-0000-0000-0000-00000000b001");

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"peregrine-bench-{Guid.NewGuid():N}");

    public DatabaseLocation Encrypted { get; }

    public DatabaseLocation Plaintext { get; }

    public string PassphrasePath { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);

    private static void Fill(DatabaseLocation location, int jobs)
    {
        using var connection = new UserDatabases().Open(location);
        using var transaction = connection.BeginTransaction();
        for (var i = 0; i < jobs; i++)
        {
            connection.Execute(
                "INSERT INTO jobs (title, company, url, location, description, match_score, status) VALUES (@t, 'Acme', @u, 'Remote', @d, @s, 'pending');",
                new { t = $"Engineer {i}", u = $"https://jobs.example/{i}", d = new string('x', 2000), s = i % 100 / 100.0 },
                transaction);
        }

        transaction.Commit();
    }
}
