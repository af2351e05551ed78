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

    public static TimeSpan Of(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
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
