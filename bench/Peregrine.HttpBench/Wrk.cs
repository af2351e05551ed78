using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Peregrine.HttpBench;

/// <summary>Debian's wrk: a warm-up run, then the measured run; its Requests/sec and non-2xx count.</summary>
internal static partial class Wrk
{
    /// <summary>
    /// Throughput of <paramref name="measured"/> and <paramref name="baseline"/>, measured in alternating slices (after
    /// one warm-up each) so that load from other processes on a shared machine falls on both sides of the ratio.
    /// </summary>
    public static async Task<(double Measured, double Baseline)> CompareAsync(
        (string Url, string? Cookie) measured, (string Url, string? Cookie) baseline, int connections, TimeSpan duration, int slices = 4)
    {
        var warmUp = TimeSpan.FromSeconds(1);
        await RequestsPerSecondAsync(measured.Url, connections, warmUp, measured.Cookie);
        await RequestsPerSecondAsync(baseline.Url, connections, warmUp, baseline.Cookie);
        var slice = TimeSpan.FromSeconds(Math.Max(1, duration.TotalSeconds / slices));
        double measuredSum = 0, baselineSum = 0;
        for (var i = 0; i < slices; i++)
        {
            measuredSum += await RequestsPerSecondAsync(measured.Url, connections, slice, measured.Cookie);
            baselineSum += await RequestsPerSecondAsync(baseline.Url, connections, slice, baseline.Cookie);
        }

        return (measuredSum / slices, baselineSum / slices);
    }

    private static async Task<double> RequestsPerSecondAsync(string url, int connections, TimeSpan duration, string? cookie)
    {
        var output = await RunAsync(url, connections, duration, cookie);
        EnsureAllSucceeded(url, output);

        return double.Parse(RequestsPerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>The median latency of <paramref name="url"/> at one connection (after a warm-up): its server time plus a loopback hop.</summary>
    public static async Task<double> MedianMillisecondsAsync(string url, string? cookie, TimeSpan duration)
    {
        await RunAsync(url, 1, TimeSpan.FromSeconds(1), cookie);
        var output = await RunAsync(url, 1, duration, cookie, latency: true);
        EnsureAllSucceeded(url, output);

        var median = Median().Match(output);
        var value = double.Parse(median.Groups[1].Value, CultureInfo.InvariantCulture);
        return median.Groups[2].Value switch { "us" => value / 1000, "s" => value * 1000, _ => value };
    }

    private static void EnsureAllSucceeded(string url, string output)
    {
        if (NonSuccess().Match(output) is { Success: true } failed)
        {
            throw new InvalidOperationException($"wrk saw {failed.Groups[1].Value} non-2xx answers from {url}:\n{output}");
        }
    }

    private static async Task<string> RunAsync(string url, int connections, TimeSpan duration, string? cookie, bool latency = false)
    {
        var start = new ProcessStartInfo("wrk") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-t", Math.Min(connections, 2).ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture), "-d", $"{(int)Math.Ceiling(duration.TotalSeconds)}s", "--timeout", "10s" })
        {
            start.ArgumentList.Add(argument);
        }

        if (latency)
        {
            start.ArgumentList.Add("--latency");
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

    [GeneratedRegex(@"^\s+50%\s+([0-9.]+)(us|ms|s)\s*$", RegexOptions.Multiline)]
    private static partial Regex Median();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();
}
