using System.Diagnostics;

namespace Peregrine.Tests.Deployment.Containers;

/// <summary>
/// The Docker engine the deploy layer runs on. One that already answers is used and left running; otherwise dockerd
/// is started here (as root, there is no systemd) and stopped at the end. A machine-wide lock serialises deploy
/// layers: the runbook's names (project peregrine-cloud, container cf-platform-db) exist once per engine, so two
/// checkouts testing at once would fight over them, and one must not stop the engine under the other.
/// </summary>
public sealed class DockerEngine : IAsyncDisposable
{
    public const string LockPath = "/tmp/peregrine-deploy-layer.lock";
    public const string LogPath = "/tmp/peregrine-dockerd.log";

    private readonly FileStream _lock;
    private readonly Process? _started;

    private DockerEngine(FileStream held, Process? started)
    {
        _lock = held;
        _started = started;
    }

    /// <summary>Whether this fixture started the engine (and so stops it).</summary>
    public bool StartedHere => _started is not null;

    public static async Task<DockerEngine> StartAsync(TimeSpan lockWait, TimeSpan startWait)
    {
        var held = await AcquireLockAsync(lockWait);
        try
        {
            if (await AnswersAsync())
            {
                return new DockerEngine(held, started: null);
            }

            // exec keeps dockerd's PID the one started here; its output goes to a log, not to the test host.
            var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
            foreach (var argument in new[] { "-c", "exec dockerd >>\"$0\" 2>&1", LogPath })
            {
                start.ArgumentList.Add(argument);
            }

            var dockerd = Process.Start(start)!;
            var deadline = DateTime.UtcNow + startWait;
            while (!await AnswersAsync())
            {
                if (dockerd.HasExited || DateTime.UtcNow > deadline)
                {
                    throw new InvalidOperationException($"dockerd did not answer within {startWait}; see {LogPath}");
                }

                await Task.Delay(TimeSpan.FromSeconds(1));
            }

            return new DockerEngine(held, dockerd);
        }
        catch
        {
            await held.DisposeAsync();
            throw;
        }
    }

    public static async Task<bool> AnswersAsync()
    {
        try
        {
            return (await CommandLine.RunAsync("docker", ["info", "--format", "{{.ServerVersion}}"], "/", TimeSpan.FromSeconds(20))).ExitCode == 0;
        }
        catch (Exception e) when (e is TimeoutException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_started is not null)
        {
            // SIGTERM: dockerd stops its containerd and leaves its state consistent; SIGKILL only if it hangs.
            await CommandLine.RunAsync("kill", ["-TERM", _started.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], "/", TimeSpan.FromSeconds(10));
            try
            {
                await _started.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            }
            catch (TimeoutException)
            {
                _started.Kill(entireProcessTree: true);
            }

            _started.Dispose();
        }

        await _lock.DisposeAsync();
    }

    // .NET takes an exclusive flock for FileShare.None, so another process (another checkout's tests) waits here.
    private static async Task<FileStream> AcquireLockAsync(TimeSpan wait)
    {
        var deadline = DateTime.UtcNow + wait;
        while (true)
        {
            try
            {
                return new FileStream(LockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(TimeSpan.FromSeconds(5));
            }
        }
    }
}
