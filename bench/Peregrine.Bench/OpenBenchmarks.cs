using BenchmarkDotNet.Attributes;
using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;

namespace Peregrine.Bench;

/// <summary>
/// A cold open (no pool) plus the first query, in each form a file can have: why DESIGN decision 2 applies the
/// HMAC output as a raw key instead of running PBKDF2 over its hex form on every new handle.
/// </summary>
[MemoryDiagnoser]
public class OpenBenchmarks
{
    private StorageFiles _files = null!;

    [GlobalSetup]
    public void Setup() => _files = new StorageFiles(jobs: 10);

    [GlobalCleanup]
    public void Cleanup() => _files.Dispose();

    [Benchmark(Baseline = true)]
    public long Plaintext() => CountJobs(SqliteDatabase.ConnectionString(_files.Plaintext.Path, null, pooling: false));

    [Benchmark]
    public long RawKey() => CountJobs(SqliteDatabase.ConnectionString(_files.Encrypted.Path, StorageFiles.Key, pooling: false));

    [Benchmark]
    public long Passphrase() => CountJobs(LegacyConversion.PassphraseConnectionString(_files.PassphrasePath, StorageFiles.Key));

    private static long CountJobs(string connectionString)
    {
        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        return connection.ExecuteScalar<long>("SELECT count(*) FROM jobs;");
    }
}
