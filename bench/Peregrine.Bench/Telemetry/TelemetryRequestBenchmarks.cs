using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Api.Telemetry;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Jobs;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Bench.Telemetry;

/// <summary>
/// What telemetry costs a request: the real <c>POST /api/jobs/{id}/applied</c> handler (encrypted DB, emits
/// <c>job_applied</c>) with telemetry off (local mode's no-op) and on (the cloud entry point: validation and the
/// bounded queue). The writer's Postgres work happens off the request path, so a drain stands in for it here.
/// </summary>
[MemoryDiagnoser]
public class TelemetryRequestBenchmarks
{
    private StorageFiles _files = null!;
    private UserDatabases _databases = null!;
    private UserContext _user = null!;
    private JobsService _off = null!;
    private JobsService _on = null!;
    private ServiceProvider _metrics = null!;
    private CancellationTokenSource _drainStop = null!;
    private Task _drain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _files = new StorageFiles(jobs: 50);
        _databases = new UserDatabases();
        _user = BenchJobs.User(_files.Encrypted);
        _off = Jobs(new NoUsageTelemetry());
        _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var queue = new UsageEventQueue(Options.Create(new TelemetryOptions()));
        _on = Jobs(new PlatformUsageTelemetry(
            queue,
            new TelemetryMetrics(_metrics.GetRequiredService<IMeterFactory>()),
            TimeProvider.System,
            Options.Create(new PeregrineOptions { CloudModeFlag = "true" })));
        _drainStop = new CancellationTokenSource();
        _drain = Task.Run(async () =>
        {
            try
            {
                await foreach (var _ in queue.Reader.ReadAllAsync(_drainStop.Token))
                {
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _drainStop.Cancel();
        _drain.Wait(TimeSpan.FromSeconds(10));
        _metrics.Dispose();
        _files.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<object> TelemetryOff() => MarkApplied(_off);

    [Benchmark]
    public Task<object> TelemetryOn() => MarkApplied(_on);

    private async Task<object> MarkApplied(JobsService jobs) =>
        await JobsApi.MarkApplied(1, _user, jobs, CancellationToken.None);

    private JobsService Jobs(IUsageTelemetry telemetry) => new(_databases, new Peregrine.Tasks.NoTaskWakeup(), TimeProvider.System, telemetry);
}
