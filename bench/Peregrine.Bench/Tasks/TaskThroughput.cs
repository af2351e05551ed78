using System.Diagnostics;
using System.Globalization;

namespace Peregrine.Bench.Tasks;

/// <summary>
/// <c>-- task-throughput</c>: 1,000 job URLs added through <c>/jobs/add</c>'s enqueue path, 10 for each of 100 users,
/// scraped by the task runner from a loopback job site (jobs/s from the first add until the runner is idle again).
/// Baseline, in the same run and process: the same 1,000 fetches and parses through the same guarded fetcher and
/// parser at the same concurrency, with no runner and no DB. The ratio is what the runner, the queue rows and the
/// per-task DB steps cost on top of the network work.
/// </summary>
internal static class TaskThroughput
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(10);

    public static async Task RunAsync(int users, int perUser)
    {
        await using var site = await LoopbackSite.StartAsync(TaskScenario.MapJobPages);
        var root = Directory.CreateTempSubdirectory("peregrine-bench-tasks").FullName;
        try
        {
            await using var scenario = await TaskScenario.StartAsync(root, site.Port);
            var owners = Enumerable.Range(1, users).Select(i => TaskScenario.User(root, i)).ToArray();
            foreach (var owner in owners)
            {
                TaskScenario.Provision(scenario.Databases, owner);
            }

            var urls = owners.Select((_, i) => TaskScenario.UrlsOf(site, i + 1, perUser)).ToArray();
            var all = urls.SelectMany(u => u).ToArray();

            // Warm-up of both paths (JIT, connection pool, engine): a few fetches direct, one user's through the runner.
            await DirectAsync(scenario, all.Take(50));
            var warm = TaskScenario.User(root, users + 1);
            TaskScenario.Provision(scenario.Databases, warm);
            await TaskScenario.AddUrlsAsync(scenario.Databases, scenario.Wakeup, warm, TaskScenario.UrlsOf(site, users + 1, perUser));
            await scenario.WaitUntilDrainedAsync(Bound, workExpected: true);

            var direct = Stopwatch.StartNew();
            await DirectAsync(scenario, all);
            direct.Stop();

            var runner = Stopwatch.StartNew();
            foreach (var (owner, index) in owners.Select((o, i) => (o, i)))
            {
                await TaskScenario.AddUrlsAsync(scenario.Databases, scenario.Wakeup, owner, urls[index]);
            }

            await scenario.WaitUntilDrainedAsync(Bound, workExpected: true);
            runner.Stop();

            var filled = owners.Sum(o => TaskScenario.Count(scenario.Databases, o, "SELECT count(*) FROM jobs WHERE title LIKE 'Platform Engineer %';"));
            var completed = owners.Sum(o => TaskScenario.Count(scenario.Databases, o, "SELECT count(*) FROM background_tasks WHERE status = 'completed';"));
            if (filled != all.Length || completed != all.Length)
            {
                throw new InvalidOperationException($"expected {all.Length} filled jobs and completed tasks, found {filled} and {completed}");
            }

            var directRate = all.Length / direct.Elapsed.TotalSeconds;
            var runnerRate = all.Length / runner.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                | {all.Length:N0} URLs, {users} users, {TaskScenario.ConcurrentTasks} at once | time | jobs/s | ratio |
                |---|---|---|---|
                | baseline: fetch + parse, no runner, no DB | {direct.Elapsed.TotalSeconds:N2} s | {directRate:N0} | 1.00 |
                | task runner: add, queue, scrape, save | {runner.Elapsed.TotalSeconds:N2} s | {runnerRate:N0} | {runnerRate / directRate:N2} |
                """));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static Task DirectAsync(TaskScenario scenario, IEnumerable<string> urls) =>
        Parallel.ForEachAsync(
            urls,
            new ParallelOptions { MaxDegreeOfParallelism = TaskScenario.ConcurrentTasks },
            async (url, cancellationToken) =>
            {
                if ((await scenario.Reader.ReadAsync(url, cancellationToken)).Title is null)
                {
                    throw new InvalidOperationException($"no job read from {url}");
                }
            });
}
