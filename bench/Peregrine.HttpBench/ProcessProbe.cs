using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;

namespace Peregrine.HttpBench;

/// <summary>What Linux says about a process (resident memory, open descriptors), after a full GC induced over EventPipe.</summary>
internal static class ProcessProbe
{
    // The runtime provider's GCHeapCollect keyword: opening a session with it makes the target run a blocking gen-2 GC,
    // which is how dotnet-gcdump does it, so the sample does not depend on when the GC last ran.
    private const long GcHeapCollectKeyword = 0x800000;

    public static async Task<(long RssKiB, int OpenFiles)> SampleAfterGcAsync(int pid)
    {
        var client = new DiagnosticsClient(pid);
        using (var session = client.StartEventPipeSession(new EventPipeProvider("Microsoft-Windows-DotNETRuntime", EventLevel.Informational, GcHeapCollectKeyword), requestRundown: false))
        {
            var drain = session.EventStream.CopyToAsync(Stream.Null);
            await Task.Delay(TimeSpan.FromSeconds(1.5));
            await session.StopAsync(CancellationToken.None);
            await drain.WaitAsync(TimeSpan.FromSeconds(10));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300));
        var rss = File.ReadLines($"/proc/{pid}/status").Single(line => line.StartsWith("VmRSS:", StringComparison.Ordinal));
        var kib = long.Parse(rss["VmRSS:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        return (kib, Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length);
    }
}

/// <summary>A process's CPU time (user + system) from <c>/proc/&lt;pid&gt;/stat</c>.</summary>
internal static class Cpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static TimeSpan Of(int pid) => FromStat($"/proc/{pid}/stat");

    /// <summary>
    /// The CPU time of each of the .NET runtime's tiered-compilation threads (named ".NET Tiered Com…", by thread id):
    /// the JIT recompiling hot code in the background, which a fresh process does for tens of seconds under load. The
    /// runtime ends that thread when it has nothing to do and starts a new one later, so compare by thread id
    /// (<see cref="JitSince"/>), never the sum.
    /// </summary>
    public static Dictionary<(int Pid, int Tid), TimeSpan> TieredCompilationThreads(IEnumerable<int> pids)
    {
        var threads = new Dictionary<(int, int), TimeSpan>();
        foreach (var pid in pids)
        {
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        threads[(pid, int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture))] = FromStat(Path.Combine(task, "stat"));
                    }
                }
                catch (IOException)
                {
                    // The thread ended between the listing and the read.
                }
            }
        }

        return threads;
    }

    /// <summary>JIT CPU since <paramref name="before"/>: what each thread alive now used since then (a thread that ended meanwhile is not counted: a lower bound).</summary>
    public static double JitSince(Dictionary<(int Pid, int Tid), TimeSpan> before, IEnumerable<int> pids) =>
        TieredCompilationThreads(pids).Sum(thread => (thread.Value - before.GetValueOrDefault(thread.Key)).TotalSeconds);

    /// <summary>Waits (at most a minute) until the processes' JIT threads together use under 20 ms of CPU in a second.</summary>
    public static async Task UntilJitIdleAsync(IReadOnlyList<int> pids)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            var before = TieredCompilationThreads(pids);
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (JitSince(before, pids) < 0.02)
            {
                return;
            }
        }
    }

    private static TimeSpan FromStat(string path)
    {
        var stat = File.ReadAllText(path);
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After the command: state is field 3, utime 14 and stime 15 (1-based), so 11 and 12 here.
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}

/// <summary>The whole machine, beside every figure: other work on these cores moves the numbers.</summary>
internal static class Machine
{
    /// <summary>The one-minute load average, from <c>/proc/loadavg</c>.</summary>
    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];
}
