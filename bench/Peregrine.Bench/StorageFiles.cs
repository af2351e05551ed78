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
        Encrypted = new DatabaseLocation(EncryptedOwner, Path.Combine(Root, "rawkey.db"), Key);
        Plaintext = new DatabaseLocation("bench-plain", Path.Combine(Root, "plain.db"), null);
        BenchJobs.Fill(Encrypted, jobs, BenchJobs.Uniform);
        BenchJobs.Fill(Plaintext, jobs, BenchJobs.Uniform);
        PassphrasePath = Path.Combine(Root, "passphrase.db");
        using var passphrase = new SqliteConnection(LegacyConversion.PassphraseConnectionString(PassphrasePath, Key, SqliteOpenMode.ReadWriteCreate));
        passphrase.Open();
        passphrase.Execute(MigrationSet.Embedded.Migrations[0].Sql);
    }

    /// <summary>A user id as the platform issues them (telemetry drops events of anything else).</summary>
    public const string EncryptedOwner = "00000000-0000-0000-0000-00000000b001";

    public static DatabaseKey Key { get; } = DatabaseKey.Derive("bench-secret", EncryptedOwner);

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"peregrine-bench-{Guid.NewGuid():N}");

    public DatabaseLocation Encrypted { get; }

    public DatabaseLocation Plaintext { get; }

    public string PassphrasePath { get; }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
