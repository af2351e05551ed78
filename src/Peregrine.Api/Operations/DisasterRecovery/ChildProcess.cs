using System.Collections.Concurrent;
using System.Diagnostics;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>How a tool (restic, pg_dump, psql) ended: its exit code and what it wrote, kept for parsing, never printed as is.</summary>
public sealed record ChildOutcome(int ExitCode, string StandardOutput, string StandardError)
{
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// Runs the tools the disaster-recovery verbs drive. Each child is started under <c>setpriv --pdeathsig KILL</c> from
/// one thread that lives as long as the process, so it dies with the verb: a <c>backup-all</c> killed mid-run must not
/// leave a restic still reading the staging area while the next run rewrites it (Linux sends the death signal when the
/// thread that forked the child ends, hence the dedicated thread rather than whichever pool thread happens to start it).
/// Secrets reach a child only through its environment, never its command line, which any user can read in /proc.
/// </summary>
public static class ChildProcess
{
    private const string Setpriv = "/usr/bin/setpriv";
    private static readonly BlockingCollection<Action> Starts = StartSpawner();

    public static async Task<ChildOutcome> RunAsync(
        string program,
        IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string?> environment,
        CancellationToken cancellationToken,
        string? workingDirectory = null,
        byte[]? standardInput = null,
        Stream? standardOutputSink = null)
    {
        var start = new ProcessStartInfo
        {
            FileName = File.Exists(Setpriv) ? Setpriv : program,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        if (start.FileName == Setpriv)
        {
            start.ArgumentList.Add("--pdeathsig");
            start.ArgumentList.Add("KILL");
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(program);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = await StartOnSpawnerAsync(start);
        Task<string> stdout;
        if (standardOutputSink is null)
        {
            stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        }
        else
        {
            stdout = process.StandardOutput.BaseStream.CopyToAsync(standardOutputSink, cancellationToken).ContinueWith(_ => string.Empty, TaskScheduler.Default);
        }

        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (standardInput is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(standardInput, cancellationToken);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new ChildOutcome(process.ExitCode, await stdout, await stderr);
    }

    private static Task<Process> StartOnSpawnerAsync(ProcessStartInfo start)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Starts.Add(() =>
        {
            try
            {
                started.SetResult(Process.Start(start) ?? throw new InvalidOperationException($"{Path.GetFileName(start.FileName)} did not start"));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        });
        return started.Task;
    }

    private static BlockingCollection<Action> StartSpawner()
    {
        var queue = new BlockingCollection<Action>();
        var thread = new Thread(() =>
        {
            foreach (var start in queue.GetConsumingEnumerable())
            {
                start();
            }
        })
        {
            IsBackground = true,
            Name = "child process spawner",
        };
        thread.Start();
        return queue;
    }
}
