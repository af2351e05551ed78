using System.Diagnostics;

namespace Peregrine.Tests.Infrastructure;

/// <summary>Runs the built Api as a real process, to observe what an operator sees at start-up.</summary>
public static class ApiProcess
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError, bool TimedOut);

    /// <summary>Starts the Api (with <paramref name="arguments"/>, e.g. an operator command) with exactly <paramref name="environment"/> added to a scrubbed environment; waits at most <paramref name="timeout"/>.</summary>
    public static async Task<Outcome> RunAsync(IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, params string[] arguments)
    {
        var start = StartInfo(environment, arguments);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return new Outcome(-1, await stdout, await stderr, TimedOut: true);
        }

        return new Outcome(process.ExitCode, await stdout, await stderr, TimedOut: false);
    }

    /// <summary>The Api dll under <c>dotnet</c>, with the runbook's variables scrubbed and <paramref name="environment"/> added.</summary>
    internal static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, params string[] arguments) =>
        StartInfo("Peregrine.Api.dll", environment, arguments);

    /// <summary>As above, for another built host of the solution (e.g. <c>Peregrine.Demo.dll</c>).</summary>
    internal static ProcessStartInfo StartInfo(string assembly, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, assembly));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in new[] { "CLOUD_MODE", "CLOUD_DATA_ROOT", "DIRECTUS_JWT_SECRET", "CF_SERVER_SECRET", "PLATFORM_DB_URL", "DEMO_MODE", "STAGING_DB", "PEREGRINE_APP" })
        {
            start.Environment.Remove(name);
        }

        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return start;
    }
}
