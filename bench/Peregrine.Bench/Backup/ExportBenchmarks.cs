using BenchmarkDotNet.Attributes;

namespace Peregrine.Bench.Backup;

/// <summary>
/// Time and managed allocations of one full export (snapshot, plaintext copy, zip with SHA-256) of an encrypted DB
/// at three sizes: allocations that stay flat while the DB grows 50-fold show the export streams instead of buffering.
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private ExportScenario _scenario = null!;

    [Params(1_000, 10_000, 50_000)]
    public int Jobs { get; set; }

    [GlobalSetup]
    public void Setup() => _scenario = new ExportScenario(Jobs);

    [GlobalCleanup]
    public void Cleanup() => _scenario.Dispose();

    [Benchmark]
    public Task<long> Export() => _scenario.ExportAsync();
}
