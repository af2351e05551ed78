using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Apps;

/// <summary>How every app (cloud API, demo) runs in a deployment.</summary>
public static class ContainerAppExtensions
{
    /// <summary>
    /// The image's health check (the app probes itself), every 10 s so <c>up</c> reports healthy soon; the first minute
    /// is the start period (schema migration, the demo's seed template) in which failures do not count.
    /// </summary>
    public static readonly ComposeHealthCheck HealthTiming = new([], Interval: "10s", Timeout: "10s", Retries: 3, StartPeriod: "60s");

    /// <summary>
    /// Runs as <paramref name="serviceName"/> (the runbook's commands name <c>app</c>), as the image's unprivileged
    /// user on a read-only root file system (writes go to its data mount and a tmpfs <c>/tmp</c>), after a one-shot
    /// service has given its data mounts to that user. Its log shows every request.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AsComposeApp(this IResourceBuilder<ProjectResource> app, string serviceName) =>
        app
            // `docker compose logs app` shows each request (method, path, status, time; no headers), one event per line.
            .WithEnvironment("Logging__LogLevel__Microsoft.AspNetCore.Hosting.Diagnostics", "Information")
            .WithEnvironment("Logging__Console__FormatterName", "simple")
            .WithEnvironment("Logging__Console__FormatterOptions__SingleLine", "true")
            .WithComposeSettings(settings => settings with
            {
                ServiceName = serviceName,
                ReadOnlyRootFileSystem = true,
                Tmpfs = ["/tmp"],
                HealthCheck = HealthTiming,
                OwnsItsMounts = true,
            });
}
