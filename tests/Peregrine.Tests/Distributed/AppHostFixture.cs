using Aspire.Hosting;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Distributed;

/// <summary>
/// Boots the whole AppHost (Postgres, api, demo, bastion) once per collection, with its state in a temp folder
/// and known secrets so tests can mint session tokens. Every wait is bounded.
/// </summary>
public class AppHostFixture : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    public const string JwtSecret = "distributed-test-directus-secret-0123456789";
    public const string ServerSecret = "distributed-test-server-secret";
    public static readonly string[] Resources = ["platformdb", "api", "demo", "bastion"];

    private readonly TestDirectory _state = new("peregrine-apphost");
    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("AppHost not started");

    public string StateDirectory => _state.Path;

    public TimeSpan TimeToHealthy { get; private set; }

    /// <summary>The bastion's JSON access log of this run (run mode writes it under the state folder).</summary>
    public string BastionAccessLog => System.IO.Path.Combine(StateDirectory, "logs", "bastion-access.log");

    /// <summary>AppHost configuration added to the committed one (e.g. more hosted apps).</summary>
    protected virtual IEnumerable<string> ExtraConfiguration => [];

    /// <summary>Resources that must be healthy before any test runs.</summary>
    protected virtual IEnumerable<string> RequiredResources => Resources;

    /// <summary>Changes to the model before it is built (e.g. pointing the api at loopback fixtures).</summary>
    protected virtual Task ConfigureAsync(IDistributedApplicationTestingBuilder builder) => Task.CompletedTask;

    public virtual async Task InitializeAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Peregrine_AppHost>(
        [
            $"State:Root={_state.Path}",
            "DcpPublisher:WaitForResourceCleanup=false",
            "Parameters:platformdb-password=distributed-test-pg-password",
            $"Parameters:directus-jwt-secret={JwtSecret}",
            $"Parameters:cf-server-secret={ServerSecret}",
            .. ExtraConfiguration,
        ]).WaitAsync(StartTimeout);
        await ConfigureAsync(builder);
        _app = await builder.BuildAsync().WaitAsync(StartTimeout);
        await _app.StartAsync().WaitAsync(StartTimeout);
        foreach (var resource in RequiredResources)
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(resource).WaitAsync(StartTimeout);
        }

        TimeToHealthy = clock.Elapsed;
    }

    public HttpClient CreateBastionClient() => App.CreateHttpClient("bastion", "http");

    public virtual async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));
            await _app.DisposeAsync();
        }

        _state.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>
{
    public const string Name = "AppHost";
}
