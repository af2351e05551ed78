using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Demo;
using Peregrine.Demo.Sandboxes;
using Peregrine.Demo.Seed;
using Peregrine.Storage;

namespace Peregrine.Bench.Demo;

/// <summary>The demo's real sandbox path (template built once, then a copy per visitor) over a temp data root.</summary>
internal sealed class DemoScenario : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"peregrine-bench-demo-{Guid.NewGuid():N}");

    public DemoScenario(int maxSandboxes)
    {
        var demo = Options.Create(new DemoOptions { DataRoot = _root, MaxSandboxes = maxSandboxes });
        var peregrine = Options.Create(new PeregrineOptions { DemoModeFlag = "true", StagingDb = Path.Combine(_root, "staging.db") });
        Paths = new DemoPaths(demo, peregrine);
        Databases = new UserDatabases(new StorageOptions());
        Seed = new DemoSeed(Paths, Databases, NullLogger<DemoSeed>.Instance);
        Seed.EnsureTemplateAsync().GetAwaiter().GetResult();
        Sandboxes = new DemoSandboxes(Paths, Seed, Databases, demo, peregrine, TimeProvider.System, NullLogger<DemoSandboxes>.Instance);
    }

    public DemoPaths Paths { get; }

    public UserDatabases Databases { get; }

    public DemoSeed Seed { get; }

    public DemoSandboxes Sandboxes { get; }

    /// <summary>What a visitor's first request costs: the sandbox (copied from the template) and a first query on it.</summary>
    public async Task<long> VisitAsync(string visitorId)
    {
        using var lease = await Sandboxes.EnterAsync(visitorId, CancellationToken.None);
        await using var db = await Databases.OpenAsync(lease.User.Database);
        return await db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;");
    }

    /// <summary>The alternative the template avoids: migrating an empty DB and running the seed for every visitor.</summary>
    public async Task<long> SeedFromScratchAsync()
    {
        var location = new DatabaseLocation("scratch", Path.Combine(_root, "scratch", $"{Guid.NewGuid():N}.db"), Key: null);
        await using (var db = await Databases.OpenAsync(location))
        {
            SeedLoader.Load(db);
        }

        Databases.Forget(location);
        return 24;
    }

    public long SandboxBytes() =>
        Directory.EnumerateFiles(Paths.Sandboxes, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
