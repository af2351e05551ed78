using System.Runtime.InteropServices;

namespace Peregrine.Bench.Capacity;

/// <summary>The calling thread's CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c>), so a step's cost does not include waiting for a busy host.</summary>
internal static partial class ThreadCpu
{
    private const int ThreadCpuTimeClock = 3;

    public static TimeSpan Now()
    {
        Span<long> time = stackalloc long[2];
        return ClockGetTime(ThreadCpuTimeClock, ref MemoryMarshal.GetReference(time)) == 0
            ? TimeSpan.FromTicks(time[0] * TimeSpan.TicksPerSecond + time[1] / 100)
            : throw new InvalidOperationException("clock_gettime failed");
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, ref long time);
}
