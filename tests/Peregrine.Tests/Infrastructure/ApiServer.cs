using System.Diagnostics;
using System.Net;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The built Api as a real server process in cloud mode on a loopback port (or the demo host, <see cref="StartDemoAsync"/>):
/// for tests that must kill it (crash safety) rather than stop it politely, or that must see whether hostile input takes
/// the whole process down. Disposing kills whatever is still running.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string ServerSecret = CloudEnvironment.ServerSecret;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ProcessLog _log = new();

    private ApiServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    /// <summary>The warnings and errors the process logged (its last ones), each on one line: what a failing test quotes.</summary>
    public IReadOnlyList<string> ProblemsLogged() => _log.Problems();

    public Uri Address { get; }

    public bool HasExited => _process.HasExited;

    public static Task<ApiServer> StartAsync(string dataRoot, params (string Name, string Value)[] extra) =>
        StartAsync("Peregrine.Api.dll", CloudEnvironment.For(dataRoot), extra);

    /// <summary>The public demo host (no secrets), its data root at <paramref name="dataRoot"/>.</summary>
    public static Task<ApiServer> StartDemoAsync(string dataRoot, params (string Name, string Value)[] extra) => StartAsync(
        "Peregrine.Demo.dll",
        new Dictionary<string, string?> { ["DEMO_MODE"] = "true", ["STAGING_DB"] = Path.Combine(dataRoot, "staging.db") },
        extra);

    private static async Task<ApiServer> StartAsync(string assembly, Dictionary<string, string?> environment, (string Name, string Value)[] extra)
    {
        var port = LoopbackPort.Free();
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        var process = Process.Start(ApiProcess.StartInfo(assembly, environment))!;
        var server = new ApiServer(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, line) => server._log.Add(line.Data);
        process.ErrorDataReceived += (_, line) => server._log.Add(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilHealthyAsync();
        return server;
    }

    public HttpClient CreateClient(string userId) => SignedIn.To(Address, TestTokens.Session(userId));

    /// <summary>
    /// A browser's view of the server: a cookie jar (it keeps the antiforgery cookie pages set) and, for a user id, the
    /// signed-in session cookie in it; without one, an anonymous visitor (the demo's). Redirects are followed, as a
    /// form post followed by its page needs.
    /// </summary>
    public HttpClient CreateBrowserClient(string? userId = null, TimeSpan? timeout = null)
    {
        var jar = new CookieContainer();
        if (userId is not null)
        {
            jar.Add(Address, new Cookie("cf_session", TestTokens.Session(userId)));
        }

        var handler = new HttpClientHandler { CookieContainer = jar };
        return new HttpClient(handler) { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    /// <summary>SIGKILL, as the kernel's OOM killer or a power cut would stop it: no shutdown code runs.</summary>
    public async Task KillAsync(TimeSpan timeout)
    {
        _process.Kill(entireProcessTree: true);
        if (!await WaitForExitAsync(timeout))
        {
            throw new TimeoutException($"the killed Api did not exit within {timeout}");
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
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

    private async Task WaitUntilHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                // Its last words: an unhandled exception at start (exit code 134) says why only on the process's stderr.
                throw new InvalidOperationException(
                    $"the Api exited at start with code {_process.ExitCode}; its last lines:{Environment.NewLine}{string.Join(Environment.NewLine, _log.Tail(40))}");
            }

            try
            {
                if ((await probe.GetAsync("/alive")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or (on a loaded machine) too slow for one probe: the deadline above decides.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException("the Api did not answer /alive within a minute");
    }
}
