using BenchmarkDotNet.Attributes;
using Peregrine.Demo.Sandboxes;

namespace Peregrine.Bench.Demo;

/// <summary>
/// A new demo visitor: copying the prepared template (what the demo does) against running the seed into a fresh DB
/// (what it avoids), and a returning visitor for scale. Each new-visitor call is a first request end to end: registry,
/// copy, rename, the first open's preparation (migrations check, WAL) and one query.
/// </summary>
[MemoryDiagnoser]
public class SandboxBenchmarks
{
    private DemoScenario _scenario = null!;
    private string _returning = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = new DemoScenario(maxSandboxes: 1_000);
        _returning = VisitorCookie.NewVisitorId();
        _scenario.VisitAsync(_returning).GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup() => _scenario.Dispose();

    [Benchmark(Baseline = true)]
    public Task<long> NewVisitorBySeedRun() => _scenario.SeedFromScratchAsync();

    [Benchmark]
    public Task<long> NewVisitorByTemplateCopy() => _scenario.VisitAsync(VisitorCookie.NewVisitorId());

    [Benchmark]
    public Task<long> ReturningVisitor() => _scenario.VisitAsync(_returning);
}
