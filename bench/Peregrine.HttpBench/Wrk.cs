using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Peregrine.HttpBench;

/// <summary>Debian's wrk: a warm-up run, then the measured run; its Requests/sec and non-2xx count.</summary>
internal static partial class Wrk
{
    public static async Task<double> RequestsPerSecondAsync(string url, int connections, TimeSpan duration, string? cookie)
    {
        await RunAsync(url, connections, TimeSpan.FromSeconds(Math.Max(1, duration.TotalSeconds / 4)), cookie);
        var output = await RunAsync(url, connections, duration, cookie);
        if (NonSuccess().Match(output) is { Success: true } failed)
        {
            throw new InvalidOperationException($"wrk saw {failed.Groups[1].Value} non-2xx answers from {url}:\n{output}");
        }

        return double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static async Task<string> RunAsync(string url, int connections, TimeSpan duration, string? cookie)
    {
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t", Math.Min(connections, 2).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{(int)Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "10s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (cookie is not null)
        {
            start.ArgumentList.Add("-H");
            start.ArgumentList.Add($"Cookie: {cookie}");
        }

        start.ArgumentList.Add(url);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(duration + TimeSpan.FromSeconds(30));
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"wrk failed: {await process.StandardError.ReadToEndAsync()}");
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();
}
