using System.Diagnostics;
using System.Globalization;
using System.Text;
using Peregrine.Storage;

namespace Peregrine.HttpBench;

/// <summary>
/// The same job seekers (<see cref="CapacityUser"/>, in a closed loop: each sends its next request as soon as the last is
/// answered) over 1, 2 and 3 shard processes on this machine. The users are spread evenly over the shards, and each
/// user's connection goes to a shard chosen independently of their home, as a least_conn bastion spreads them: with N
/// shards, (N−1)/N of the users are forwarded. On a machine of two cores this is CPU-bound, so the figure that says what
/// sharding costs is requests per CPU-second of the shard processes, beside the total.
/// </summary>
internal static class ShardThroughput
{
    // Divisible by 1, 4 and 9, so every pair of (home, entry) has as many users for 1, 2 and 3 shards.
    private const int Users = 36;
    private static readonly TimeSpan WarmUpRound = TimeSpan.FromSeconds(8);
    private const int MaxWarmUpRounds = 10;
    private const double JitSettledShare = 0.02;
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(4);

    private sealed record Row(int Shards, double RequestsPerSecond, double P50, double P99, int Errors, double ShardCpuSeconds,
        string ShardCpuSplit, double IdleCoreShare, double DriverCpuSeconds, double Seconds, int Requests, double ForwardedShare, string Load,
        WarmUp WarmUp, double JitShare)
    {
        public double PerShardCpuSecond => Requests / ShardCpuSeconds;
    }

    private sealed record WarmUp(TimeSpan Took, int Rounds, bool Settled);

    public static async Task<string> MeasureAsync(int[] shardCounts, string scratch, DatabaseLocation template,
        IReadOnlyDictionary<string, string> cloudEnvironment, string platformDbUrl, string serverSecret)
    {
        var rows = new List<Row>();
        foreach (var count in shardCounts)
        {
            await using var shards = await ShardProcesses.CreateAsync(count, scratch, platformDbUrl);
            var homes = shards.DataRoots.Select(root => SeededUsers.Seed(root, template, Users / count, serverSecret)).ToList();
            await shards.StartAsync(cloudEnvironment, platformDbUrl, homes[0][0]);
            // User j of shard h enters through shard (h + j) mod N: every (home, entry) pair equally often.
            var users = homes.SelectMany((ids, home) => ids.Select((id, j) => (Id: id, Home: home, Entry: (home + j) % count))).ToList();
            rows.Add(await RunAsync(shards, users));
            Console.WriteLine($"  {count} shard(s): {rows[^1].RequestsPerSecond:N0} req/s, {rows[^1].PerShardCpuSecond:N0} requests per shard CPU-second, load {rows[^1].Load}");
        }

        return Table(rows);
    }

    private static async Task<Row> RunAsync(ShardProcesses shards, List<(string Id, int Home, int Entry)> users)
    {
        var pids = shards.Servers.Select(s => s.Pid).ToList();
        var warmUp = await WarmUpAsync(shards, users, pids);

        var recorder = new Recorder();
        var shardCpuBefore = pids.Select(Cpu.Of).ToList();
        var jitBefore = Cpu.TieredCompilationThreads(pids);
        var driverBefore = Cpu.Of(Environment.ProcessId);
        var window = Stopwatch.StartNew();
        recorder.Start();
        await LoadAsync(shards, users, recorder, Measured);
        recorder.Stop();
        var seconds = window.Elapsed.TotalSeconds;
        var shardCpu = pids.Select((pid, i) => (Cpu.Of(pid) - shardCpuBefore[i]).TotalSeconds).ToList();
        var jitShare = Cpu.JitSince(jitBefore, pids) / shardCpu.Sum();
        var driverCpu = (Cpu.Of(Environment.ProcessId) - driverBefore).TotalSeconds;
        var load = Machine.LoadAverage();

        // What the shards burn with no request at all, once warm (Orleans' membership and failure detector, timers, the
        // GC): a share of the CPU that more shards pay more of, whatever the load.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var idleBefore = pids.Sum(pid => Cpu.Of(pid).TotalSeconds);
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(Idle);
        var idleCoreShare = (pids.Sum(pid => Cpu.Of(pid).TotalSeconds) - idleBefore) / idleClock.Elapsed.TotalSeconds;

        return new Row(shards.Ids.Count, recorder.Requests / seconds, recorder.Percentile(0.50), recorder.Percentile(0.99),
            recorder.Errors + recorder.Shed, shardCpu.Sum(), string.Join(" / ", shardCpu.Select(s => s.ToString("F1", CultureInfo.InvariantCulture))),
            idleCoreShare, driverCpu, seconds, recorder.Requests, users.Count(u => u.Home != u.Entry) / (double)users.Count, load, warmUp, jitShare);
    }

    /// <summary>
    /// Rounds of load, each followed by a pause until the shards' JIT is idle, until a round's load leaves the JIT under
    /// 2 % of the shards' CPU. A fresh process recompiles its hot code on a background thread (tiered compilation) that
    /// the load starves of CPU, so with a fixed warm-up the measured window of more shards ran more unoptimised code
    /// (and the JIT caught up only after the load: it was most of the "idle" CPU after it).
    /// </summary>
    private static async Task<WarmUp> WarmUpAsync(ShardProcesses shards, List<(string Id, int Home, int Entry)> users, List<int> pids)
    {
        var clock = Stopwatch.StartNew();
        for (var round = 1; round <= MaxWarmUpRounds; round++)
        {
            var cpuBefore = pids.Sum(pid => Cpu.Of(pid).TotalSeconds);
            var jitBefore = Cpu.TieredCompilationThreads(pids);
            await LoadAsync(shards, users, new Recorder(), WarmUpRound);
            var jitShare = Cpu.JitSince(jitBefore, pids) / (pids.Sum(pid => Cpu.Of(pid).TotalSeconds) - cpuBefore);
            await Cpu.UntilJitIdleAsync(pids);
            if (jitShare < JitSettledShare)
            {
                return new WarmUp(clock.Elapsed, round, Settled: true);
            }
        }

        return new WarmUp(clock.Elapsed, MaxWarmUpRounds, Settled: false);
    }

    /// <summary>Every user's loop for <paramref name="duration"/>, each on its own connection to its entry shard; returns when all have ended.</summary>
    private static async Task LoadAsync(ShardProcesses shards, List<(string Id, int Home, int Entry)> users, Recorder recorder, TimeSpan duration)
    {
        var end = DateTime.UtcNow + duration;
        using var stop = new CancellationTokenSource(duration + TimeSpan.FromSeconds(30));
        var loops = users.Select((user, i) => Task.Run(() =>
            new CapacityUser(shards.Servers[user.Entry].Url(string.Empty), user.Id, new Random(i), TimeSpan.Zero).RunAsync(recorder, end, stop.Token))).ToList();
        await Task.WhenAll(loops).WaitAsync(duration + TimeSpan.FromSeconds(60));
    }

    private static string Table(List<Row> rows)
    {
        var one = rows[0];
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{Users} users in a closed loop. Warm-up: rounds of {WarmUpRound.TotalSeconds:F0} s of load, each followed by a pause until the shards' " +
                $"JIT (the tiered-compilation thread) is idle, until a round leaves the JIT under {JitSettledShare:P0} of the shards' CPU; then {Measured.TotalSeconds:F0} s measured per row. " +
                $"JIT in window: that thread's share of the shards' CPU while measured. Shards idle: their CPU over {Idle.TotalSeconds:F0} s with no request, after the load, all shards together.")
            .AppendLine()
            .AppendLine("| Shards | Warm-up | JIT in window | Users forwarded | req/s | ÷ 1 shard | Shard CPU (s, per shard) | **Requests per shard CPU-second** | **÷ 1 shard** | Shards idle | p50 | p99 | Errors | Driver CPU | Load average |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {row.Shards} | {row.WarmUp.Took.TotalSeconds:F0} s, {row.WarmUp.Rounds} round(s){(row.WarmUp.Settled ? string.Empty : ", never settled")} | {row.JitShare:P1} | {row.ForwardedShare:P0} | {row.RequestsPerSecond:N0} | {row.RequestsPerSecond / one.RequestsPerSecond:F2} | " +
                $"{row.ShardCpuSeconds:F1} ({row.ShardCpuSplit}) | **{row.PerShardCpuSecond:N0}** | **{row.PerShardCpuSecond / one.PerShardCpuSecond:F2}** | {row.IdleCoreShare:P0} of a core | " +
                $"{row.P50:F1} ms | {row.P99:F1} ms | {row.Errors} | {row.DriverCpuSeconds:F1} s ({row.DriverCpuSeconds / row.Seconds:P0} of a core) | {row.Load} |");
        }

        return text.ToString();
    }
}
