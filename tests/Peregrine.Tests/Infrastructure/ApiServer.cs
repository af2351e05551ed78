using System.Diagnostics;
using System.Net;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The built Api as a real server process in cloud mode on a loopback port: for tests that must kill it (crash safety)
/// rather than stop it politely. Disposing kills whatever is still running.
/// </summary>
public sealed class ApiServer : IAsyncDisposable
{
    public const string ServerSecret = CloudEnvironment.ServerSecret;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;

    private ApiServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<ApiServer> StartAsync(string dataRoot, params (string Name, string Value)[] extra)
    {
        var port = LoopbackPort.Free();
        var environment = CloudEnvironment.For(dataRoot);
        environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        var process = Process.Start(ApiProcess.StartInfo(environment))!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ApiServer(process, new Uri($"http://127.0.0.1:{port}"));
        await server.WaitUntilHealthyAsync();
        return server;
    }

    public HttpClient CreateClient(string userId) => SignedIn.To(Address, TestTokens.Session(userId));

    /// <summary>
    /// A browser's view of the server: signed in as <paramref name="userId"/>, keeping the cookies the pages set (the
    /// antiforgery cookie) and following redirects, as a form post followed by its page needs.
    /// </summary>
    public HttpClient CreateBrowserClient(string userId)
    {
        var jar = new CookieContainer();
        jar.Add(Address, new Cookie("cf_session", TestTokens.Session(userId)));
        return new HttpClient(new HttpClientHandler { CookieContainer = jar }) { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
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
                throw new InvalidOperationException($"the Api exited at start with code {_process.ExitCode}");
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
