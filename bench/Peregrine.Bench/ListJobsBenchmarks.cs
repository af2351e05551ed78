using BenchmarkDotNet.Attributes;
using Peregrine.CloudSeams;
using Peregrine.Jobs;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Bench;

/// <summary>
/// The data-access path of <c>GET /api/jobs</c> (the real handler, pooled handles through <see cref="UserDatabases"/>)
/// over 500 jobs: what encryption costs a list request.
/// </summary>
[MemoryDiagnoser]
public class ListJobsBenchmarks
{
    private StorageFiles _files = null!;
    private JobsService _jobs = null!;
    private UserContext _encrypted = null!;
    private UserContext _plaintext = null!;

    [GlobalSetup]
    public void Setup()
    {
        _files = new StorageFiles(jobs: 500);
        _jobs = new JobsService(new UserDatabases(), new Peregrine.Tasks.NoTaskWakeup(), TimeProvider.System, new Peregrine.CloudSeams.NoUsageTelemetry());
        _encrypted = BenchJobs.User(_files.Encrypted);
        _plaintext = BenchJobs.User(_files.Plaintext);
    }

    [GlobalCleanup]
    public void Cleanup() => _files.Dispose();

    [Benchmark(Baseline = true)]
    public Task<object> Plaintext() => List(_plaintext);

    [Benchmark]
    public Task<object> Encrypted() => List(_encrypted);

    private async Task<object> List(UserContext user) =>
        await JobsApi.ListJobs(user, _jobs, JobStatuses.Pending, limit: 500, CancellationToken.None);
}
