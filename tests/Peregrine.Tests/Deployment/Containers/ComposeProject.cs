using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// One of the runbook's compose projects, driven with the runbook's own command lines in the operator's folder:
/// <c>docker compose -f compose.cloud.yml --project-name peregrine-cloud …</c>, with <c>docker-compose</c> where the
/// compose v2 plugin is absent (as the runbook's readers are told). An <paramref name="overrideFile"/> is layered on
/// top (<c>-f file -f override</c>), for a project that must not clash with the runbook's on the same engine.
/// </summary>
public sealed class ComposeProject(DeploymentDirectory deployment, string file, string name, string? overrideFile = null)
{
    private static readonly Lazy<Task<string[]>> Program = new(async () =>
        (await CommandLine.RunAsync("docker", ["compose", "version"], "/", TimeSpan.FromSeconds(20))).ExitCode == 0
            ? ["docker", "compose"]
            : ["docker-compose"]);

    public string Name => name;

    /// <summary>Runs <c>… -f &lt;file&gt; --project-name &lt;name&gt; &lt;arguments&gt;</c>; fails the test on a non-zero exit.</summary>
    public async Task<string> RunAsync(TimeSpan timeout, params string[] arguments)
    {
        var result = await TryRunAsync(timeout, arguments);
        Assert.True(result.ExitCode == 0, $"{string.Join(' ', arguments)} failed: {Tail(result.Output)}");
        return result.Output;
    }

    public async Task<CommandLine.Result> TryRunAsync(TimeSpan timeout, params string[] arguments)
    {
        var program = await Program.Value;
        string[] files = overrideFile is null ? ["-f", file] : ["-f", file, "-f", overrideFile];
        return await CommandLine.RunAsync(program[0], [.. program[1..], .. files, "--project-name", name, .. arguments], deployment.Path, timeout);
    }

    /// <summary>The project's containers by compose service: (state, health or empty, exit code, restart count, host PID).</summary>
    public async Task<IReadOnlyList<ContainerState>> ContainersAsync()
    {
        var ids = await Docker(TimeSpan.FromSeconds(30), "ps", "--all", "--quiet", "--filter", $"label=com.docker.compose.project={name}");
        var list = ids.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (list.Length == 0)
        {
            return [];
        }

        using var inspected = JsonDocument.Parse(await Docker(TimeSpan.FromSeconds(30), ["inspect", .. list]));
        return [.. inspected.RootElement.EnumerateArray().Select(ContainerState.From)];
    }

    /// <summary>Waits (bounded) until every long-running service is running and healthy and every one-shot one exited 0.</summary>
    public async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        IReadOnlyList<ContainerState> last = [];
        try
        {
            await Eventually.UntilAsync(
                async () =>
                {
                    last = await ContainersAsync();
                    return last.Count > 0 && last.All(container => container.IsSettled);
                },
                timeout,
                TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            var logs = await TryRunAsync(TimeSpan.FromMinutes(1), "logs", "--tail", "30");
            Assert.Fail($"{name} not healthy within {timeout}: {string.Join("; ", last)}\n{Tail(logs.Output)}");
        }
    }

    public static async Task<string> Docker(TimeSpan timeout, params string[] arguments)
    {
        var result = await CommandLine.RunAsync("docker", arguments, "/", timeout);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', arguments)}: {Tail(result.Output)}");
        return result.Output;
    }

    public static string Tail(string output, int lines = 40) =>
        string.Join('\n', output.Split('\n').TakeLast(lines));
}

public sealed record ContainerState(string Service, string RunState, string HealthState, int ExitStatus, int Restarts, int HostPid, string ContainerId)
{
    /// <summary>Running and healthy (or without a health check), or a one-shot service that finished cleanly.</summary>
    public bool IsSettled => RunState == "running" ? HealthState is "healthy" or "" : RunState == "exited" && ExitStatus == 0 && IsOneShot;

    private bool IsOneShot => Service.EndsWith("-data-owner", StringComparison.Ordinal);

    public static ContainerState From(JsonElement container)
    {
        var state = container.GetProperty("State");
        return new ContainerState(
            container.GetProperty("Config").GetProperty("Labels").GetProperty("com.docker.compose.service").GetString()!,
            state.GetProperty("Status").GetString()!,
            state.TryGetProperty("Health", out var health) ? health.GetProperty("Status").GetString()! : string.Empty,
            state.GetProperty("ExitCode").GetInt32(),
            container.GetProperty("RestartCount").GetInt32(),
            state.GetProperty("Pid").GetInt32(),
            container.GetProperty("Id").GetString()!);
    }

    public override string ToString() => $"{Service}: {RunState} {HealthState} (exit {ExitStatus}, restarts {Restarts})";
}
