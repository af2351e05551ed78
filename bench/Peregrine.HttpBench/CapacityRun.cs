using System.Diagnostics;
using System.Globalization;
using Dapper;
using Peregrine.Bench;
using Peregrine.Storage;

namespace Peregrine.HttpBench;

/// <summary>
/// "Users per host at p99 ≤ 100 ms": an increasing series of active job seekers (<see cref="CapacityUser"/>) against
/// the Release Api, through the bastion and direct, with each process's CPU per request and the driver's own CPU.
/// Every user has their own encrypted DB of 300 realistic jobs, seeded by a <c>VACUUM INTO</c> copy of one template
/// under the user's key (seconds for thousands of users). Each step: warm-up, then the measured window.
/// </summary>
internal static class CapacityRun
{
    public sealed record Settings(int[] Steps, TimeSpan WarmUp, TimeSpan Measured, bool Bastion, bool Direct, string? PoolSize, bool ColdWarmOnly);

    public static Settings Parse(string[] args)
    {
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var quick = args.Contains("--quick");
        var steps = Value("--steps")?.Split(',').Select(int.Parse).ToArray()
            ?? (quick ? [50, 100, 200] : [200, 400, 600, 800, 1_000, 1_200, 1_600, 2_000, 2_400, 3_200]);
        var through = Value("--through") ?? "both";
        return new Settings(
            steps,
            TimeSpan.FromSeconds(double.Parse(Value("--warmup") ?? (quick ? "5" : "15"), CultureInfo.InvariantCulture)),
            TimeSpan.FromSeconds(double.Parse(Value("--measure") ?? (quick ? "15" : "60"), CultureInfo.InvariantCulture)),
            through is "both" or "bastion",
            through is "both" or "direct",
            Value("--pool"),
            args.Contains("--cold-warm-only"));
    }

    public static async Task<int> RunAsync(Settings settings, string root, IReadOnlyDictionary<string, string> cloudEnvironment, string bastionConfig, string serverSecret)
    {
        var paths = new List<(string Name, bool ThroughBastion)>();
        if (settings.Direct && !settings.ColdWarmOnly)
        {
            paths.Add(("direct", false));
        }

        if (settings.Bastion && !settings.ColdWarmOnly)
        {
            paths.Add(("bastion", true));
        }

        var users = paths.Count == 0 ? 0 : settings.Steps.Max();
        var clock = Stopwatch.StartNew();
        var template = SeededUsers.Template(Path.Combine(root, "template"));
        // One user set per path, so that the second series does not find the first one's decisions.
        var userSets = paths.ToDictionary(path => path.Name, _ => SeededUsers.Seed(Path.Combine(root, "cloud"), template, users, serverSecret));
        Console.WriteLine($"seeded {users * paths.Count:N0} users of 300 jobs in {clock.Elapsed.TotalSeconds:F0} s; load average {Machine.LoadAverage()}");

        var environment = new Dictionary<string, string>(cloudEnvironment);
        if (settings.PoolSize is { } pool)
        {
            environment["Storage__MaxPooledDatabases"] = pool;
        }

        var report = new List<string>();
        foreach (var (name, throughBastion) in paths)
        {
            await using var api = await Server.ApiAsync("cloud", environment);
            await using var bastion = throughBastion ? await Server.BastionAsync(bastionConfig, api.Port, Path.Combine(root, $"bastion-{name}.log")) : null;
            var baseUrl = (bastion ?? api).Url(string.Empty);
            var rows = new List<StepResult>();
            var bastionLog = throughBastion ? Path.Combine(root, $"bastion-{name}.log") : null;
            foreach (var active in settings.Steps)
            {
                var result = await StepAsync(active, userSets[name], baseUrl, api.Pid, bastion?.Pid, bastionLog, settings);
                rows.Add(result);
                Console.WriteLine($"  {name} {result.Row()}");
            }

            report.Add(Summary(name, rows));
        }

        report.Add(await ColdWarm.MeasureAsync(
            SeededUsers.Seed(Path.Combine(root, "cloud"), template, 204, serverSecret),
            environment.Where(e => e.Key != "Storage__MaxPooledDatabases").ToDictionary(),
            bastionConfig,
            Path.Combine(root, "bastion-cold-warm.log")));

        Console.WriteLine();
        foreach (var section in report)
        {
            Console.WriteLine(section);
        }

        Console.WriteLine($"Whole run: {clock.Elapsed.TotalMinutes:F0} min.");
        return 0;
    }

    private sealed record StepResult(
        int Users, double RequestsPerSecond, double P50, double P99, double ApiCpuMs, double? BastionCpuMs, double DriverCpuMs,
        double DriverCoreShare, int Errors, int Shed, long ApiRssMiB, int ApiOpenFiles, string Load, double? ServerP99)
    {
        public string Row() =>
            $"| {Users:N0} | {RequestsPerSecond:N0} | {P50:F1} ms | {P99:F1} ms | {(ServerP99 is { } s ? $"{s:F1} ms" : "—")} | {ApiCpuMs:F2} ms | {(BastionCpuMs is { } b ? $"{b:F2} ms" : "—")} | " +
            $"{DriverCpuMs:F2} ms ({DriverCoreShare:P0} of a core) | {Errors} | {Shed} | {ApiRssMiB} MiB | {ApiOpenFiles} | {Load} |";
    }

    private static async Task<StepResult> StepAsync(int active, IReadOnlyList<string> users, string baseUrl, int apiPid, int? bastionPid, string? bastionLog, Settings settings)
    {
        var recorder = new Recorder();
        var start = DateTime.UtcNow;
        var end = start + settings.WarmUp + settings.Measured;
        using var stop = new CancellationTokenSource(settings.WarmUp + settings.Measured + TimeSpan.FromSeconds(30));
        var loops = users.Take(active).Select((user, i) => Task.Run(() => new CapacityUser(baseUrl, user, new Random(i)).RunAsync(recorder, end, stop.Token))).ToList();

        await Task.Delay(settings.WarmUp);
        var (api, bastion, driver) = (Cpu.Of(apiPid), bastionPid is { } b ? Cpu.Of(b) : TimeSpan.Zero, Cpu.Of(Environment.ProcessId));
        var window = Stopwatch.StartNew();
        recorder.Start();
        var measuredFrom = DateTimeOffset.UtcNow;
        await Task.Delay(settings.Measured);
        recorder.Stop();
        var measuredTo = DateTimeOffset.UtcNow;
        var seconds = window.Elapsed.TotalSeconds;
        var apiCpu = Cpu.Of(apiPid) - api;
        var bastionCpu = bastionPid is { } bp ? Cpu.Of(bp) - bastion : TimeSpan.Zero;
        var driverCpu = Cpu.Of(Environment.ProcessId) - driver;
        var load = Machine.LoadAverage();
        var rss = File.ReadLines($"/proc/{apiPid}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        var files = Directory.GetFileSystemEntries($"/proc/{apiPid}/fd").Length;
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60));

        var requests = Math.Max(1, recorder.Requests);
        return new StepResult(
            active, recorder.Requests / seconds, recorder.Percentile(0.50), recorder.Percentile(0.99),
            apiCpu.TotalMilliseconds / requests, bastionPid is null ? null : bastionCpu.TotalMilliseconds / requests,
            driverCpu.TotalMilliseconds / requests, driverCpu.TotalSeconds / seconds, recorder.Errors, recorder.Shed,
            long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024, files, load,
            bastionLog is null ? null : BastionLog.P99(bastionLog, measuredFrom, measuredTo));
    }

    private static string Summary(string name, List<StepResult> rows)
    {
        var text = new System.Text.StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"### {(name == "bastion" ? "Through the bastion" : "Direct to the Api")}")
            .AppendLine()
            .AppendLine("| Active users | req/s | p50 | p99 | p99 at the bastion | Api CPU per request | Bastion CPU per request | Driver CPU per request | Errors | Shed (503) | Api RSS | Api open files | Load average |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(row.Row());
        }

        var peak = rows.Max(row => row.RequestsPerSecond);
        var knee = rows.Where(row => row.P99 <= 100 && row.Errors == 0).Select(row => row.Users).DefaultIfEmpty(0).Max();
        text.AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Users per host at p99 ≤ 100 ms with 0 errors: **{knee:N0}**; peak {peak:N0} req/s.");
        if (knee > 0 && rows.Where(row => row.Users >= 2 * knee).MinBy(row => row.Users) is { } twice)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Throughput at {twice.Users:N0} users (≥ 2× the knee) ÷ peak: **{twice.RequestsPerSecond / peak:F2}** (target ≥ 0.90).");
        }
        else
        {
            text.AppendLine("No step at 2× the knee in this series: add one with --steps to see past it.");
        }

        return text.ToString();
    }
}

/// <summary>
/// The p99 of the requests as the bastion timed them (its access log's <c>duration</c>: from reading the request to
/// writing the response, the Api included). Beside the driver's p99 it shows how much of a tail is the server's and how
/// much is the driver's own scheduling on the same cores.
/// </summary>
internal static class BastionLog
{
    public static double? P99(string path, DateTimeOffset from, DateTimeOffset to)
    {
        var (start, end) = (from.ToUnixTimeMilliseconds() / 1000.0, to.ToUnixTimeMilliseconds() / 1000.0);
        var durations = new List<double>();
        foreach (var line in File.ReadLines(path))
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            if (entry.RootElement.TryGetProperty("ts", out var ts) && ts.GetDouble() is var at && at >= start && at <= end
                && entry.RootElement.TryGetProperty("duration", out var duration))
            {
                durations.Add(duration.GetDouble() * 1000);
            }
        }

        return durations.Count == 0 ? null : Percentiles.Of(durations, 0.99);
    }
}
