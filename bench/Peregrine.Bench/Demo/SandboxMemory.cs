using System.Diagnostics;
using System.Globalization;
using Peregrine.Demo.Sandboxes;

namespace Peregrine.Bench.Demo;

/// <summary>
/// <c>-- demo-memory</c>: what 1,000 live sandboxes cost the demo process (each visited once, so each has been prepared
/// and queried): managed heap after a full collection, resident set, the DB handles the pool keeps, and disk. Also
/// the median time of a new visitor over those 1,000 first requests.
/// </summary>
internal static class SandboxMemory
{
    public static async Task RunAsync(int visitors)
    {
        using var scenario = new DemoScenario(maxSandboxes: visitors);
        await scenario.VisitAsync(VisitorCookie.NewVisitorId()); // warm: JIT, engine, template in the page cache

        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var rssBefore = ReadStatusKilobytes("VmRSS");
        var times = new List<double>(visitors);
        for (var i = 1; i < visitors; i++)
        {
            var watch = Stopwatch.StartNew();
            await scenario.VisitAsync(VisitorCookie.NewVisitorId());
            times.Add(watch.Elapsed.TotalMilliseconds);
        }

        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var rssAfter = ReadStatusKilobytes("VmRSS");
        times.Sort();
        var disk = scenario.SandboxBytes();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            | Sandboxes | new visitor, median / p95 | managed heap growth | RSS growth | pooled DB handles | disk |
            |---|---|---|---|---|---|
            | {scenario.Sandboxes.Count:N0} | {times[times.Count / 2]:N2} ms / {times[(int)(times.Count * 0.95)]:N2} ms | {(heapAfter - heapBefore) / 1024.0:N0} KB ({(heapAfter - heapBefore) / (double)visitors:N0} B each) | {(rssAfter - rssBefore) / 1024.0:N1} MB | {scenario.Databases.PooledCount} | {disk / (1024.0 * 1024):N1} MB ({disk / visitors / 1024.0:N0} KB each) |
            """));
    }

    private static long ReadStatusKilobytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }
}
