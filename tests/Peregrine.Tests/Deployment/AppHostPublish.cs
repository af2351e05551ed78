using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment;

/// <summary>
/// Runs the real AppHost in publish mode (exactly what ./eng/publish.sh runs) into a temp folder that already holds
/// an operator's <c>.env</c>. Used once per test class.
/// </summary>
public sealed class AppHostPublish : IDisposable
{
    public const string OperatorEnv = "DIRECTUS_JWT_SECRET=operator-secret\n";

    /// <summary>Everything publish produces that is committed, relative to the repository root.</summary>
    public static readonly string[] CommittedFiles =
    [
        "compose.cloud.yml",
        "compose.demo.yml",
        ".env.example",
        "deploy/bastion/Caddyfile",
        "deploy/bastion/routes.caddy",
        "deploy/demo-bastion/Caddyfile",
        "deploy/demo-bastion/routes.caddy",
    ];

    private readonly TestDirectory _output = new("peregrine-publish");

    public string OutputDirectory => _output.Path;

    public string Read(string relativePath) => File.ReadAllText(_output.Combine(relativePath));

    public static async Task<AppHostPublish> RunAsync(params string[] configuration)
    {
        var publish = new AppHostPublish();
        await File.WriteAllTextAsync(publish._output.Combine(".env"), OperatorEnv);
        var result = await CommandLine.RunAsync(
            "dotnet",
            [Repository.AppHostAssembly, "--operation", "publish", "--step", "publish", "--output-path", publish.OutputDirectory, .. configuration],
            // The AppHost reads appsettings.json from its project folder, as under `dotnet run`.
            Repository.Path("src/Peregrine.AppHost"),
            TimeSpan.FromMinutes(2));
        Assert.True(result.ExitCode == 0, $"AppHost publish failed: {result}");
        return publish;
    }

    public void Dispose() => _output.Dispose();
}

/// <summary>The model as committed (appsettings.json lists only peregrine).</summary>
public sealed class CommittedModelPublish : IAsyncLifetime
{
    public AppHostPublish Publish { get; private set; } = null!;

    public async Task InitializeAsync() => Publish = await AppHostPublish.RunAsync();

    public Task DisposeAsync()
    {
        Publish.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The model with a second hosted app, added by configuration only.</summary>
public sealed class FalconModelPublish : IAsyncLifetime
{
    public AppHostPublish Publish { get; private set; } = null!;

    public async Task InitializeAsync() => Publish = await AppHostPublish.RunAsync("Apps:1=falcon");

    public Task DisposeAsync()
    {
        Publish.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>The committed model with each app as two shards (./eng/publish.sh --shards 2).</summary>
public sealed class TwoShardsModelPublish : IAsyncLifetime
{
    public AppHostPublish Publish { get; private set; } = null!;

    public async Task InitializeAsync() => Publish = await AppHostPublish.RunAsync("Shards:Count=2");

    public Task DisposeAsync()
    {
        Publish.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>Three shards of each of two apps: every silo port and data root must still be distinct.</summary>
public sealed class ThreeShardsTwoAppsModelPublish : IAsyncLifetime
{
    public AppHostPublish Publish { get; private set; } = null!;

    public async Task InitializeAsync() => Publish = await AppHostPublish.RunAsync("Shards:Count=3", "Apps:1=falcon");

    public Task DisposeAsync()
    {
        Publish.Dispose();
        return Task.CompletedTask;
    }
}
