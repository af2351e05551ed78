namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// The deploy layer's one set-up, shared by its tests: a Docker engine, the base images, the images built with the
/// runbook's "Rebuild after code changes" command, and both stacks started with the runbook's "Start" commands in an
/// operator's folder (<see cref="DeploymentDirectory"/>). Torn down with <c>down -v</c>, and the engine stopped if it
/// was started here.
/// </summary>
public sealed class DeployLayer : IAsyncLifetime
{
    public static readonly TimeSpan Healthy = TimeSpan.FromMinutes(4);
    public static readonly TimeSpan Command = TimeSpan.FromMinutes(3);

    private DockerEngine? _engine;

    public DeploymentDirectory Deployment { get; private set; } = null!;

    /// <summary>The runbook's cloud project: <c>-f compose.cloud.yml --project-name peregrine-cloud</c>.</summary>
    public ComposeProject Cloud { get; private set; } = null!;

    /// <summary>The runbook's demo project: <c>-f compose.demo.yml --project-name peregrine-demo</c>.</summary>
    public ComposeProject Demo { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _engine = await DockerEngine.StartAsync(lockWait: TimeSpan.FromMinutes(45), startWait: TimeSpan.FromMinutes(2));
        var images = await CommandLine.RunAsync(Repository.Path("eng/base-images.sh"), [], Repository.Root, TimeSpan.FromMinutes(30));
        Assert.True(images.ExitCode == 0, $"eng/base-images.sh failed: {ComposeProject.Tail(images.Output)}");

        Deployment = DeploymentDirectory.Create();
        Cloud = new ComposeProject(Deployment, "compose.cloud.yml", "peregrine-cloud");
        Demo = new ComposeProject(Deployment, "compose.demo.yml", "peregrine-demo");
        // Leftovers of an interrupted run (same project names) would be reused by `up`; start clean.
        await Cloud.TryRunAsync(Command, "down", "-v");
        await Demo.TryRunAsync(Command, "down", "-v");

        // The runbook's "Rebuild after code changes", as written (no --env-file: compose reads .env beside the file).
        await Cloud.RunAsync(TimeSpan.FromMinutes(40), "build", "app");
        await Demo.RunAsync(TimeSpan.FromMinutes(20), "build", "app");

        await Cloud.RunAsync(Command, "--env-file", ".env", "up", "-d");
        await Demo.RunAsync(Command, "up", "-d");
        await Cloud.WaitUntilHealthyAsync(Healthy);
        await Demo.WaitUntilHealthyAsync(Healthy);
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (Cloud is not null)
            {
                await Cloud.TryRunAsync(Command, "down", "-v");
                await Demo.TryRunAsync(Command, "down", "-v");
            }

            Deployment?.Dispose();
        }
        finally
        {
            if (_engine is not null)
            {
                await _engine.DisposeAsync();
            }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class DeployCollection : ICollectionFixture<DeployLayer>
{
    public const string Name = "Deploy";
}
