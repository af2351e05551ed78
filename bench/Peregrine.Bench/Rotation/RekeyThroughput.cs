using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Peregrine.Api.Operations;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Bench.Rotation;

/// <summary>
/// <c>-- rekey [dbs] [jobs]</c>: <c>rekey-all</c>'s throughput on many realistic user DBs (default 1,000 DBs of 500
/// jobs), against two baselines from the same run: copying the same files (what the disk allows), and the idempotent
/// re-run that only confirms every DB is current (what a no-op pass costs).
/// </summary>
internal static class RekeyThroughput
{
    private const string OldSecret = "bench-rotation-secret-one";
    private const string NewSecret = "bench-rotation-secret-two";

    public static async Task RunAsync(int databases, int jobs)
    {
        var root = Path.Combine(Path.GetTempPath(), $"peregrine-rekey-bench-{Guid.NewGuid():N}");
        try
        {
            var before = Settings(root, OldSecret);
            var users = Enumerable.Range(0, databases).Select(_ => CloudUserResolver.ForUser(before, Guid.NewGuid().ToString())).ToList();
            var fill = Stopwatch.StartNew();
            foreach (var user in users)
            {
                BenchJobs.Fill(user.Database, jobs, BenchJobs.Realistic);
            }

            // Filling left pooled handles open; a running service's handles would make rekey-all skip those DBs.
            SqliteConnection.ClearAllPools();
            var bytes = users.Sum(user => new FileInfo(user.Database.Path).Length);
            Console.WriteLine(Invariant($"filled {databases} DBs x {jobs} jobs ({bytes / 1e6:F0} MB) in {fill.Elapsed.TotalSeconds:F0} s"));

            var copy = CopyAll(users.Select(user => user.Database.Path), Path.Combine(root, "copy"));
            var after = Settings(root, NewSecret, OldSecret);
            var rotating = UserTrees.Databases(after).ToList();
            var rekey = await RekeyAllCommand.RunAsync(rotating, TextWriter.Null, 0, TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None);
            var confirm = await RekeyAllCommand.RunAsync(rotating, TextWriter.Null, 0, TimeSpan.Zero, TimeSpan.Zero, CancellationToken.None);
            if (rekey.Rekeyed != databases || confirm.AlreadyCurrent != databases)
            {
                throw new InvalidOperationException($"expected {databases} rekeyed then current, got {rekey} / {confirm}");
            }

            double Rate(double amount, TimeSpan elapsed) => amount / elapsed.TotalSeconds;
            Console.WriteLine("| pass | DBs/s | MB/s | vs file copy |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine(Invariant($"| file copy (baseline) | {Rate(databases, copy):F0} | {Rate(bytes / 1e6, copy):F0} | 1.00 |"));
            Console.WriteLine(Invariant($"| rekey-all (rekey every DB) | {Rate(databases, rekey.Elapsed):F0} | {Rate(bytes / 1e6, rekey.Elapsed):F0} | {copy / rekey.Elapsed:F2} |"));
            Console.WriteLine(Invariant($"| rekey-all re-run (all current) | {Rate(databases, confirm.Elapsed):F0} | — | {copy / confirm.Elapsed:F2} |"));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(root, recursive: true);
        }
    }

    private static PeregrineOptions Settings(string root, string current, string? previous = null) => new()
    {
        CloudModeFlag = "true",
        CloudDataRoot = root,
        ServerSecret = current,
        PreviousServerSecrets = previous,
    };

    /// <summary>Copies and fsyncs each file, as a rekey writes and syncs each DB.</summary>
    private static TimeSpan CopyAll(IEnumerable<string> files, string target)
    {
        Directory.CreateDirectory(target);
        var clock = Stopwatch.StartNew();
        foreach (var (file, index) in files.Select((file, index) => (file, index)))
        {
            using var source = File.OpenRead(file);
            using var copy = File.Create(Path.Combine(target, $"{index}.db"));
            source.CopyTo(copy);
            copy.Flush(flushToDisk: true);
        }

        return clock.Elapsed;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
