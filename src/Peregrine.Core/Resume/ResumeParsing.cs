using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Peregrine.Resume;

/// <summary>The assembly whose <c>Main</c> answers <see cref="ResumeWorker.Flag"/>: the host's own (the Api or the demo).</summary>
public sealed record ResumeWorkerHost(Assembly Assembly);

/// <summary>
/// Runs <see cref="ResumeWorker"/> in a helper process for one staged upload and reads its answer. The helper gets a
/// clean environment (none of the service's secrets), a small heap (<see cref="ResumeOptions.WorkerHeapBytes"/>), no
/// diagnostics socket, and a temp folder inside the user's own tree, so nothing it or a library does lands elsewhere;
/// it is killed at <see cref="ResumeOptions.ParseTimeout"/>. At most <see cref="ResumeOptions.MaxConcurrentParses"/> run at
/// once, so a burst of uploads cannot take every core from the requests of other users.
/// </summary>
public sealed partial class ResumeParsing(IOptions<ResumeOptions> options, ResumeWorkerHost host, ILogger<ResumeParsing> logger) : IDisposable
{
    /// <summary>The answer is a profile and 20,000 characters of text; anything much longer is not the helper speaking.</summary>
    private const int MaxAnswerBytes = 1024 * 1024;

    private readonly SemaphoreSlim _slots = new(Math.Max(1, options.Value.MaxConcurrentParses));

    /// <summary>
    /// Parses <paramref name="file"/> (a staged upload in the user's tree) with <paramref name="scratch"/>, an empty
    /// folder of the same tree, as the helper's temp folder.
    /// </summary>
    public async Task<(ParsedResume? Resume, ResumeFailure? Failure)> ParseAsync(string file, string scratch, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!await _slots.WaitAsync(settings.QueueWait, cancellationToken))
        {
            return (null, ResumeFailure.Busy);
        }

        try
        {
            return await RunHelperAsync(file, scratch, settings, cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private async Task<(ParsedResume?, ResumeFailure?)> RunHelperAsync(string file, string scratch, ResumeOptions settings, CancellationToken cancellationToken)
    {
        using var process = new Process { StartInfo = StartInfo(file, scratch, settings) };
        var clock = Stopwatch.StartNew();
        process.Start();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.ParseTimeout);
        var errors = DrainAsync(process.StandardError.BaseStream, 16 * 1024);
        try
        {
            var answer = await ReadAnswerAsync(process.StandardOutput.BaseStream, deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            LogParsed(logger, clock.ElapsedMilliseconds, process.ExitCode);
            return process.ExitCode == 0 && answer is not null ? (answer.Resume, answer.Failure) : (null, Crashed(process, await errors));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill(process);
            LogTimedOut(logger, clock.ElapsedMilliseconds);
            return (null, ResumeFailure.TimedOut);
        }
        catch
        {
            Kill(process);
            throw;
        }
    }

    private ResumeFailure Crashed(Process process, string errors)
    {
        // An out-of-memory or stack overflow in the helper: the file asked for more than a résumé needs.
        LogHelperFailed(logger, process.ExitCode, errors.Length > 200 ? errors[..200] : errors);
        return ResumeFailure.Unreadable;
    }

    private static async Task<WorkerAnswer?> ReadAnswerAsync(Stream output, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await output.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxAnswerBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return buffer.Length == 0 ? null : JsonSerializer.Deserialize<WorkerAnswer>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), ResumeWorker.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Keeps the helper's stderr pipe from filling (which would stall it), remembering only its start.</summary>
    private static async Task<string> DrainAsync(Stream errors, int keep)
    {
        using var reader = new StreamReader(errors);
        var buffer = new char[4096];
        var kept = new System.Text.StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            if (kept.Length < keep)
            {
                kept.Append(buffer, 0, Math.Min(read, keep - kept.Length));
            }
        }

        return kept.ToString();
    }

    private ProcessStartInfo StartInfo(string file, string scratch, ResumeOptions settings)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = scratch,
        };
        start.ArgumentList.Add(host.Assembly.Location);
        start.ArgumentList.Add(ResumeWorker.Flag);
        start.ArgumentList.Add(file);

        // Nothing of the service's environment (secrets, connection strings) reaches a process that reads hostile bytes.
        start.Environment.Clear();
        start.Environment["PATH"] = "/usr/bin:/bin";
        start.Environment["HOME"] = scratch;
        start.Environment["TMPDIR"] = scratch;
        start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(DotnetHost());
        start.Environment["DOTNET_GCHeapHardLimit"] = $"0x{settings.WorkerHeapBytes:X}";
        start.Environment["DOTNET_gcServer"] = "0";
        start.Environment["DOTNET_EnableDiagnostics"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_TieredPGO"] = "0";
        return start;
    }

    /// <summary>
    /// The <c>dotnet</c> host that runs this process's framework: the SDK names it in <c>DOTNET_HOST_PATH</c> (tests,
    /// <c>dotnet run</c>); otherwise it sits three folders above the runtime's own (<c>/usr/share/dotnet/dotnet</c>).
    /// </summary>
    private static string DotnetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } named && File.Exists(named))
        {
            return named;
        }

        if (Environment.ProcessPath is { } self && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        var root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        var candidate = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(candidate) ? candidate : "dotnet";
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
            // It had already exited.
        }
    }

    [LoggerMessage(LogLevel.Information, "Résumé parsed by the helper in {Milliseconds} ms (exit {ExitCode})")]
    private static partial void LogParsed(ILogger logger, long milliseconds, int exitCode);

    [LoggerMessage(LogLevel.Warning, "Résumé helper killed after {Milliseconds} ms: the file took too long to parse")]
    private static partial void LogTimedOut(ILogger logger, long milliseconds);

    [LoggerMessage(LogLevel.Warning, "Résumé helper ended with exit code {ExitCode}: {Errors}")]
    private static partial void LogHelperFailed(ILogger logger, int exitCode, string errors);
}
