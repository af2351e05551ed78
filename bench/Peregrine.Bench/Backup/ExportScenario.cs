using Dapper;
using Peregrine.Backup;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Bench.Backup;

/// <summary>
/// One cloud user's tree with an encrypted staging.db of realistic jobs and a config, exported through the real
/// path: <see cref="BackupExporter.PrepareAsync"/> (VACUUM INTO snapshot, rekey to plain) then
/// <see cref="PreparedBackup.WriteToAsync"/> into an unseekable sink, as the endpoint streams it.
/// </summary>
internal sealed class ExportScenario : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"peregrine-bench-export-{Guid.NewGuid():N}");
    private readonly UserDatabases _databases = new();
    private readonly BackupExporter _exporter;
    private readonly UserContext _user;

    public ExportScenario(int jobs)
    {
        SqliteEngine.EnsureLoaded();
        Directory.CreateDirectory(Path.Combine(_root, "config"));
        File.WriteAllText(Path.Combine(_root, "config", "user.yaml"), "name: Bench User\nemail: bench@example.com\n");
        var location = new DatabaseLocation(StorageFiles.EncryptedOwner, Path.Combine(_root, "staging.db"), StorageFiles.Key);
        BenchJobs.Fill(location, jobs, BenchJobs.Realistic);
        using (var connection = _databases.Open(location))
        {
            // Fold the WAL into the file so its size is the DB's size.
            connection.Execute("PRAGMA wal_checkpoint(TRUNCATE);");
        }

        DatabaseBytes = new FileInfo(location.Path).Length;
        _user = BenchJobs.User(location);
        _exporter = new BackupExporter(_databases, TimeProvider.System);
    }

    public long DatabaseBytes { get; }

    /// <summary>Exports once; returns the zip's size.</summary>
    public async Task<long> ExportAsync()
    {
        using var backup = await PrepareAsync();
        return await WriteAsync(backup);
    }

    /// <summary>The first phase: the plaintext snapshot beside the DB.</summary>
    public Task<PreparedBackup> PrepareAsync() => _exporter.PrepareAsync(_user, includeDb: true, CancellationToken.None);

    /// <summary>The second phase: the zip streamed into the sink; returns its size.</summary>
    public static async Task<long> WriteAsync(PreparedBackup backup)
    {
        var sink = new CountingStream();
        await backup.WriteToAsync(sink, CancellationToken.None);
        return sink.Length;
    }

    public void Dispose()
    {
        _databases.Evict(_user.Database);
        Directory.Delete(_root, recursive: true);
    }
}
