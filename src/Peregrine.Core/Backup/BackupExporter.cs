using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// Export: the user's configs and a portable plain-SQLite copy of their DB, streamed as a zip. Memory does not grow
/// with DB size: the snapshot is a temp file in the user's own tree, copied into the zip in fixed-size chunks.
/// </summary>
public sealed class BackupExporter(UserDatabases databases, TimeProvider clock)
{
    /// <summary>Takes the DB snapshot now (so failures surface before the download starts) and lists the configs.</summary>
    public async Task<PreparedBackup> PrepareAsync(UserContext user, bool includeDb, CancellationToken cancellationToken)
    {
        string? snapshot = null;
        string? schemaVersion = null;
        if (includeDb && File.Exists(user.Database.Path))
        {
            snapshot = LegacyConversion.NewTempPath(user.Database.Path);
            try
            {
                using (var connection = await databases.OpenAsync(user.Database, cancellationToken))
                {
                    DatabaseCopies.ExportPlaintext(connection, user.Database.Key, snapshot);
                }

                schemaVersion = ReadSchemaVersion(snapshot);
            }
            catch
            {
                File.Delete(snapshot);
                throw;
            }
        }

        var configs = BackupLayout.ExistingConfigs(user.AppDirectory).ToList();
        return new PreparedBackup(user, configs, snapshot, schemaVersion, clock.GetUtcNow());
    }

    private static string? ReadSchemaVersion(string plainDatabase)
    {
        using var connection = SqliteDatabase.Open(plainDatabase, key: null, pooling: false, mode: SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT CASE WHEN EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'schema_migrations') THEN 1 ELSE 0 END;";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return null;
        }

        command.CommandText = "SELECT max(version) FROM schema_migrations;";
        return command.ExecuteScalar() as string;
    }
}

/// <summary>A backup ready to stream; disposing it deletes the plaintext snapshot.</summary>
public sealed class PreparedBackup(UserContext user, IReadOnlyList<string> configs, string? snapshot, string? schemaVersion, DateTimeOffset createdAt)
    : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    public string FileName => $"peregrine-backup-{createdAt:yyyyMMdd-HHmmss}.zip";

    public async Task WriteToAsync(Stream output, CancellationToken cancellationToken)
    {
        var hashes = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = new List<string>();
        await using (var zip = await ZipArchive.CreateAsync(output, ZipArchiveMode.Create, leaveOpen: true, entryNameEncoding: null, cancellationToken))
        {
            foreach (var name in configs)
            {
                hashes[name] = await AddFileAsync(zip, name, Path.Combine(user.AppDirectory, name), cancellationToken);
                files.Add(name);
            }

            if (snapshot is not null)
            {
                hashes[BackupLayout.DatabaseEntry] = await AddFileAsync(zip, BackupLayout.DatabaseEntry, snapshot, cancellationToken);
                files.Add(BackupLayout.DatabaseEntry);
            }

            var manifest = new BackupManifest(
                CreatedAt: createdAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture),
                Source: user.App,
                SourcePath: user.IsCloud ? BackupManifest.RedactedPath : user.AppDirectory,
                PeregrineVersion: BackupManifest.FormatVersion,
                Files: files,
                IncludesDb: snapshot is not null,
                SchemaVersion: schemaVersion,
                Sha256: hashes);
            var entry = zip.CreateEntry(BackupLayout.ManifestName, CompressionLevel.Optimal);
            await using var stream = await entry.OpenAsync(cancellationToken);
            await JsonSerializer.SerializeAsync(stream, manifest, BackupManifest.Json, cancellationToken);
        }
    }

    /// <summary>Copies a file into the zip in fixed-size chunks, hashing what is written.</summary>
    private static async Task<string> AddFileAsync(ZipArchive zip, string entryName, string path, CancellationToken cancellationToken)
    {
        var entry = zip.CreateEntry(entryName, CompressionLevel.Optimal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        await using var source = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, ChunkSize, useAsync: true);
        await using var target = await entry.OpenAsync(cancellationToken);
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    public void Dispose()
    {
        if (snapshot is not null)
        {
            File.Delete(snapshot);
        }
    }
}
