using System.Globalization;

namespace Peregrine.Bench.Backup;

/// <summary>
/// <c>-- export-memory</c>: peak memory of one warm export per size, which BenchmarkDotNet does not report.
/// Managed: the GC heap sampled every millisecond (its growth is also bounded by the bytes allocated).
/// Whole process: Linux's peak resident set (VmHWM), reset just before the export, so SQLite's native page cache and
/// the deflater count too.
/// </summary>
internal static class ExportMemory
{
    public static async Task RunAsync(IEnumerable<int> sizes)
    {
        Console.WriteLine("| Jobs | DB file | zip | phase | allocated (managed) | peak GC heap growth | peak RSS growth |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var jobs in sizes)
        {
            using var scenario = new ExportScenario(jobs);
            await scenario.ExportAsync(); // warm: JIT, pooled handle, engine caches

            long zipBytes = 0;
            var prepare = await MeasureAsync(scenario.PrepareAsync);
            using (var backup = prepare.Result)
            {
                var write = await MeasureAsync(() => ExportScenario.WriteAsync(backup));
                zipBytes = write.Result;
                Print(jobs, scenario.DatabaseBytes, zipBytes, "snapshot (one plain VACUUM INTO)", prepare);
                Print(jobs, scenario.DatabaseBytes, zipBytes, "zip + SHA-256 stream", write);
            }
        }
    }

    private static async Task<Measured<T>> MeasureAsync<T>(Func<Task<T>> phase)
    {
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current RSS
        var rssBefore = ReadStatusKilobytes("VmRSS");
        using var sampling = new CancellationTokenSource();
        var peakHeap = Task.Run(() => SamplePeakHeap(sampling.Token));

        var result = await phase();

        await sampling.CancelAsync();
        return new Measured<T>(
            result,
            GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore,
            Math.Max(0, await peakHeap - heapBefore),
            (ReadStatusKilobytes("VmHWM") - rssBefore) * 1024);
    }

    private static void Print<T>(int jobs, long databaseBytes, long zipBytes, string phase, Measured<T> measured) =>
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {jobs:N0} | {Mb(databaseBytes)} | {Mb(zipBytes)} | {phase} | {Kb(measured.Allocated)} | {Kb(measured.PeakHeapGrowth)} | {Mb(measured.PeakRssGrowth)} |"));

    private sealed record Measured<T>(T Result, long Allocated, long PeakHeapGrowth, long PeakRssGrowth);

    private static long SamplePeakHeap(CancellationToken stop)
    {
        long peak = 0;
        while (!stop.IsCancellationRequested)
        {
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
            Thread.Sleep(1);
        }

        return Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
    }

    private static long ReadStatusKilobytes(string field)
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MB");

    private static string Kb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N0} KB");
}
