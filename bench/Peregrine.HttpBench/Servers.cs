using System.Diagnostics;
using System.Net.Sockets;

namespace Peregrine.HttpBench;

/// <summary>A process the bench started (an Api or the bastion) on a loopback port; disposing kills it.</summary>
internal sealed class Server : IAsyncDisposable
{
    private readonly Process _process;

    private Server(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    public int Pid => _process.Id;

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    /// <summary>The Release Api beside this driver, in cloud mode (<paramref name="dataRoot"/>) or local mode (<paramref name="stagingDb"/>).</summary>
    public static Task<Server> ApiAsync(string name, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Peregrine.Api.dll"));
        foreach (var variable in new[] { "CLOUD_MODE", "CLOUD_DATA_ROOT", "DIRECTUS_JWT_SECRET", "CF_SERVER_SECRET", "PLATFORM_DB_URL", "DEMO_MODE", "STAGING_DB", "PEREGRINE_APP", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            start.Environment.Remove(variable);
        }

        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        return StartAsync(name, start, port, "/alive");
    }

    /// <summary>Caddy with the committed bastion config (deploy/bastion), proxying to <paramref name="upstreamPort"/>.</summary>
    public static Task<Server> BastionAsync(string configDirectory, int upstreamPort, string logFile)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("caddy") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = configDirectory };
        foreach (var argument in new[] { "run", "--config", Path.Combine(configDirectory, "Caddyfile"), "--adapter", "caddyfile" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BASTION_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["BASTION_BIND"] = "127.0.0.1";
        start.Environment["BASTION_LOG_FILE"] = logFile;
        start.Environment["PEREGRINE_UPSTREAM"] = $"127.0.0.1:{upstreamPort}";
        return StartAsync("bastion", start, port, "/healthz");
    }

    /// <summary>
    /// Caddy answering one fixed <c>/api/session</c>-sized body on every path: the cheapest upstream there is, so the
    /// bastion in front of it measures the proxy's own cost per request, the floor under (b).
    /// </summary>
    public static Task<Server> FixedResponseAsync(string scratchDirectory)
    {
        var port = FreePort();
        var config = Path.Combine(scratchDirectory, "fixed-response.Caddyfile");
        File.WriteAllText(config, $$"""
            {
                admin off
                auto_https off
            }
            http://127.0.0.1:{{port}} {
                respond /healthz "ok" 200
                respond `{"user_id":"00000000-0000-0000-0000-000000000000","app":"peregrine","tier":"free","is_cloud":true}` 200
            }
            """);
        var start = new ProcessStartInfo("caddy") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "run", "--config", config, "--adapter", "caddyfile" })
        {
            start.ArgumentList.Add(argument);
        }

        return StartAsync("fixed-response", start, port, "/healthz");
    }

    private static async Task<Server> StartAsync(string name, ProcessStartInfo start, int port, string probePath)
    {
        var process = Process.Start(start)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new Server(name, process, port);
        using var probe = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited at start ({process.ExitCode}):\n{string.Join('\n', output)}");
            }

            try
            {
                if ((await probe.GetAsync(server.Url(probePath))).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or (on a loaded machine) too slow to answer its first request: ask again.
            }

            await Task.Delay(200);
        }

        await server.DisposeAsync();
        throw new TimeoutException($"{name} did not answer {probePath} within two minutes");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
