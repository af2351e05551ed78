using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Peregrine.Resume;
using Peregrine.Tests.Resume;

namespace Peregrine.Bench.Resume;

/// <summary>
/// What reading a résumé costs, for a typical two-page PDF and DOCX (written as the tests write them): the time to read
/// the file from disk (the baseline), the text extraction and rule-based parse in this process, and a whole upload's
/// parse in the helper process the service uses (start, parse, answer). Medians, reported as ratios to the read.
/// <c>dotnet run -c Release --project bench/Peregrine.Bench -- resume-parse [runs]</c>
/// </summary>
internal static class ResumeParseBench
{
    public static async Task RunAsync(int runs)
    {
        var root = Directory.CreateTempSubdirectory("peregrine-resume-bench-").FullName;
        try
        {
            var lines = ResumeFiles.TwoPages();
            var files = new[] { ("PDF", "resume.pdf", ResumeFiles.Pdf(lines)), ("DOCX", "resume.docx", ResumeFiles.Docx(lines)) };
            using var parsing = new ResumeParsing(Options.Create(new ResumeOptions()), new ResumeWorkerHost(typeof(ResumeParseBench).Assembly), NullLogger<ResumeParsing>.Instance);
            Console.WriteLine($"resume-parse: {runs} runs each, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
            Console.WriteLine($"{"file",-6} {"size",9} {"read (ms)",10} {"parse (ms)",11} {"parse/read",11} {"helper (ms)",12} {"helper/read",12}");
            foreach (var (kind, name, bytes) in files)
            {
                var path = Path.Combine(root, name);
                await File.WriteAllBytesAsync(path, bytes);
                var scratch = Directory.CreateDirectory(Path.Combine(root, "scratch")).FullName;
                var parsed = ResumeWorker.Parse(bytes);
                if (parsed.Profile.Experience.Count == 0)
                {
                    throw new InvalidOperationException($"the {kind} parsed without experience: not a fair measure");
                }

                var read = Median(runs * 10, () => File.ReadAllBytes(path));
                var parse = Median(runs, () => ResumeWorker.Parse(File.ReadAllBytes(path)));
                var helper = await MedianAsync(Math.Max(5, runs / 5), async () =>
                {
                    var (resume, failure) = await parsing.ParseAsync(path, scratch, CancellationToken.None);
                    _ = resume ?? throw new InvalidOperationException($"the helper refused the {kind}: {failure}");
                });
                Console.WriteLine($"{kind,-6} {bytes.Length,9:N0} {read,10:F3} {parse,11:F2} {parse / read,11:N0} {helper,12:F1} {helper / read,12:N0}");
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static double Median(int runs, Action work)
    {
        work();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            work();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }

    private static async Task<double> MedianAsync(int runs, Func<Task> work)
    {
        await work();
        var times = new double[runs];
        for (var i = 0; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            await work();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }

        Array.Sort(times);
        return times[runs / 2];
    }
}
