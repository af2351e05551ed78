using System.Diagnostics;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Rotation;

/// <summary>An operator command as a real process, with the service's environment; optionally SIGKILLed mid-run.</summary>
internal static class OperatorProcess
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public static Dictionary<string, string?> Environment(string dataRoot, string current, string? previous = null, string? platformUrl = null) =>
        CloudEnvironment.For(dataRoot, platformUrl, current, previous);

    public static Task<ApiProcess.Outcome> RunAsync(Dictionary<string, string?> environment, params string[] arguments) =>
        ApiProcess.RunAsync(environment, Timeout, arguments);

    /// <summary>Starts the command and kills it and its children (SIGKILL) once <paramref name="shouldKill"/> says so; returns whether it was killed before finishing.</summary>
    public static async Task<bool> KillWhenAsync(Dictionary<string, string?> environment, string[] arguments, Func<int, bool> shouldKill)
    {
        using var process = Process.Start(ApiProcess.StartInfo(environment, arguments))!;
        var progressLines = 0;
        var killed = 0;
        void KillIfDue()
        {
            if (shouldKill(Volatile.Read(ref progressLines)) && Interlocked.Exchange(ref killed, 1) == 0)
            {
                try
                {
                    // The whole tree, as when the host or the container dies: a child the command started (backup-all's
                    // restic) dies with it, so the locks it leaves are stale, which the next run removes. Killing the
                    // command alone would leave restic running, holding its lock until it finishes.
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    Interlocked.Exchange(ref killed, 0); // it had already exited
                }
            }
        }

        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data?.StartsWith('[') == true)
            {
                Interlocked.Increment(ref progressLines);
                KillIfDue();
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        while (!exited.IsCompleted)
        {
            KillIfDue();
            await Task.WhenAny(exited, Task.Delay(1));
        }

        await exited.WaitAsync(Timeout);
        return killed == 1 && process.ExitCode != 0;
    }
}
