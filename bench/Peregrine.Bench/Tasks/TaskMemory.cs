using System.Diagnostics;
using System.Globalization;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Bench.Tasks;

/// <summary>
/// <c>-- task-memory</c>: what idle users cost the task runner. Two data roots, each with 100 users who have 10 queued
/// scrapes (1,000 tasks): one where those 100 are all the users, one where 9,900 more provisioned users (tree and
/// encrypted DB each) have no work. Each root is served by a fresh child process (so neither inherits the other's
/// heap), which reports its managed heap (after a full collection, while the 100 users' work is running), its peak
/// resident set, and how long after its start it had found the work (the marker scan) and finished it. A ratio near 1
/// means idle users cost nothing.
/// </summary>
internal static class TaskMemory
{
    private const int UsersWithWork = 100;
    private const int TasksPerUser = 10;
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(int[] population)
    {
        await using var site = await LoopbackSite.StartAsync(TaskScenario.MapJobPages);
        var results = new List<(int Users, Measured Child)>();
        foreach (var users in population)
        {
            var root = Directory.CreateTempSubdirectory("peregrine-bench-idle").FullName;
            try
            {
                var preparing = Stopwatch.StartNew();
                await PrepareAsync(root, site, users);
                Console.Error.WriteLine($"prepared {users:N0} users in {preparing.Elapsed.TotalSeconds:N0} s");
                results.Add((users, await MeasureInChildAsync(root, site.Port)));
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        var baseline = results[0].Child;
        Console.WriteLine($"| users existing ({UsersWithWork} with {TasksPerUser} queued scrapes each) | managed heap while working | peak RSS | start to work found | start to idle | heap ratio | RSS ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var (users, child) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {users:N0} | {child.HeapKb / 1024.0:N1} MB | {child.PeakRssKb / 1024.0:N1} MB | {child.FoundSeconds:N2} s | {child.Seconds:N2} s | {(double)child.HeapKb / baseline.HeapKb:N2} | {(double)child.PeakRssKb / baseline.PeakRssKb:N2} |"));
        }
    }

    /// <summary>The child: start the service's task machinery over the root and report once the work is done.</summary>
    public static async Task ChildAsync(string root, int sitePort)
    {
        var watch = Stopwatch.StartNew();
        await using var scenario = await TaskScenario.StartAsync(root, sitePort);
        var deadline = DateTime.UtcNow + Bound;
        while (scenario.Runner.ActiveOwnerCount < UsersWithWork && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        var found = watch.Elapsed;
        // While the 100 users' tasks run: everything the runner holds for them, and nothing for anyone else.
        var heap = GC.GetTotalMemory(forceFullCollection: true);
        await scenario.WaitUntilDrainedAsync(Bound, workExpected: false);
        watch.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{heap / 1024} {StatusKilobytes("VmHWM")} {found.TotalSeconds:F3} {watch.Elapsed.TotalSeconds:F3}"));
    }

    private static async Task PrepareAsync(string root, LoopbackSite site, int users)
    {
        var databases = new UserDatabases(new StorageOptions());
        var markerOnly = new NoTaskWakeup();
        // Creating a DB mostly waits on fsync, so several at once fill the disk queue better than one at a time.
        Parallel.For(1, users + 1, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => TaskScenario.Provision(databases, TaskScenario.User(root, i)));
        for (var i = 1; i <= Math.Min(users, UsersWithWork); i++)
        {
            var user = TaskScenario.User(root, i);
            await TaskScenario.AddUrlsAsync(databases, markerOnly, user, TaskScenario.UrlsOf(site, i, TasksPerUser));
            databases.Forget(user.Database);
        }
    }

    private static async Task<Measured> MeasureInChildAsync(string root, int sitePort)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { typeof(TaskMemory).Assembly.Location, "task-memory-child", root, sitePort.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync().WaitAsync(Bound);
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"the measuring child exited with {child.ExitCode}");
        }

        var fields = (await output).Trim().Split('\n')[^1].Split(' ');
        return new Measured(
            long.Parse(fields[0], CultureInfo.InvariantCulture),
            long.Parse(fields[1], CultureInfo.InvariantCulture),
            double.Parse(fields[2], CultureInfo.InvariantCulture),
            double.Parse(fields[3], CultureInfo.InvariantCulture));
    }

    private static long StatusKilobytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private sealed record Measured(long HeapKb, long PeakRssKb, double FoundSeconds, double Seconds);
}
