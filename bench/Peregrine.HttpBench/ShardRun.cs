using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dapper;
using Peregrine.Storage;

namespace Peregrine.HttpBench;

/// <summary>
/// The shard benchmark (eng/bench-shards.sh), three parts, each on shard processes of its own: (1) a forwarded request
/// ÷ a local one, (2) throughput and requests per CPU-second for 1 → 2 → 3 shards, (3) the pause of moving a 500-job
/// user while they are written to. Prints one Markdown report; every figure beside the load average when it was taken.
/// </summary>
internal static class ShardRun
{
    public static async Task<int> RunAsync(string[] args, string root, IReadOnlyDictionary<string, string> cloudEnvironment, string serverSecret)
    {
        var parts = args.SkipWhile(a => a != "--part").Skip(1).FirstOrDefault()?.Split(',').Select(int.Parse).ToHashSet() ?? [1, 2, 3];
        var platformDbUrl = cloudEnvironment.TryGetValue("PLATFORM_DB_URL", out var url) ? url
            : throw new InvalidOperationException("PLATFORM_DB_URL is not set: run ./eng/bench-shards.sh, which starts a throwaway Postgres");
        var clock = Stopwatch.StartNew();
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"## Shards, measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores (load average at start {Machine.LoadAverage()})")
            .AppendLine();
        var template = SeededUsers.Template(Path.Combine(root, "template"));

        if (parts.Contains(1) || parts.Contains(3))
        {
            Console.WriteLine("two shards: a forwarded request ÷ a local one, then moves of a 500-job user");
            await using var shards = await ShardProcesses.CreateAsync(2, root, platformDbUrl);
            var reader = SeededUsers.Seed(shards.DataRoots[0], template, 1, serverSecret)[0];
            var mover = SeededUsers.Seed(shards.DataRoots[0], SeededUsers.Template(Path.Combine(root, "template-500"), 500), 1, serverSecret)[0];
            var letterJob = FirstJobId(shards.DataRoots[0], reader, serverSecret);
            await shards.StartAsync(cloudEnvironment, platformDbUrl, reader);
            if (parts.Contains(1))
            {
                report.AppendLine("### 1. A forwarded request ÷ a local one (two shards; the user lives on `a`)")
                    .AppendLine()
                    .AppendLine("Local: the request sent to the user's home. Forwarded: the same request sent to the other shard, which hands it to")
                    .AppendLine("the home (YARP, one more loopback hop). The two alternate, one request at a time, after a warm-up of each.")
                    .AppendLine()
                    .AppendLine(await ForwardingCost.MeasureAsync(shards["a"], shards["b"], reader, letterJob));
            }

            if (parts.Contains(3))
            {
                report.AppendLine("### 3. Moving a user of 500 jobs while they are written to (two shards)")
                    .AppendLine()
                    .AppendLine(await MovePause.MeasureAsync(shards, mover, serverSecret));
            }
        }

        if (parts.Contains(2))
        {
            Console.WriteLine("throughput on 1, 2 and 3 shards");
            report.AppendLine("### 2. Throughput on 1 → 2 → 3 shards (one machine)")
                .AppendLine()
                .AppendLine(await ShardThroughput.MeasureAsync([1, 2, 3], root, template, cloudEnvironment, platformDbUrl, serverSecret));
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Whole run: {clock.Elapsed.TotalMinutes:F1} min; load average at the end {Machine.LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine(report);
        return 0;
    }

    /// <summary>The id of one of the seeded user's jobs (the write of part 1 changes its letter).</summary>
    private static long FirstJobId(string dataRoot, string userId, string serverSecret)
    {
        using var connection = SqliteDatabase.Open(Path.Combine(dataRoot, userId, "peregrine", "staging.db"), DatabaseKey.Derive(serverSecret, userId), pooling: false);
        return connection.ExecuteScalar<long>("SELECT min(id) FROM jobs;");
    }
}
