using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Peregrine.AppHost.Bastion;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// Debian's Caddy running the bastion configuration the AppHost generates (its Caddyfile and routes), in front of one
/// upstream, on a loopback port: what a deployment's bastion does to forwarded headers, without the whole AppHost.
/// <see cref="ClientFrom"/> connects from another loopback address (127.0.0.2, …), so a test has several "clients".
/// </summary>
public sealed class CaddyBastion : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TestDirectory _directory;

    private CaddyBastion(Process process, TestDirectory directory, Uri address)
    {
        _process = process;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    /// <param name="upstream">The app's address (host:port).</param>
    /// <param name="trustedProxies">What the bastion is told to trust (<c>BASTION_TRUSTED_PROXIES</c>); empty: nobody.</param>
    public static async Task<CaddyBastion> StartAsync(BastionRoute route, string upstream, string trustedProxies = "")
    {
        var directory = new TestDirectory("peregrine-bastion");
        await File.WriteAllTextAsync(directory.Combine(CaddyConfig.CaddyfileName), CaddyConfig.Caddyfile());
        await File.WriteAllTextAsync(directory.Combine(CaddyConfig.RoutesFileName), CaddyConfig.Routes([route]));
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("caddy") { WorkingDirectory = directory.Path, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { "run", "--config", CaddyConfig.CaddyfileName, "--adapter", "caddyfile" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["BASTION_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["BASTION_BIND"] = "127.0.0.1";
        start.Environment["BASTION_LOG_FILE"] = directory.Combine("access.log");
        start.Environment["BASTION_TRUSTED_PROXIES"] = trustedProxies;
        start.Environment[route.UpstreamVariable] = upstream;
        start.Environment["XDG_CONFIG_HOME"] = directory.Path;
        start.Environment["XDG_DATA_HOME"] = directory.Path;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var bastion = new CaddyBastion(process, directory, new Uri($"http://127.0.0.1:{port}"));
        await bastion.WaitUntilHealthyAsync();
        return bastion;
    }

    /// <summary>
    /// A client whose connections come from <paramref name="source"/> (any 127.x.y.z), following no redirect; with
    /// <paramref name="cookies"/> off, every request is a new visitor.
    /// </summary>
    public HttpClient ClientFrom(string source, bool cookies = true) => ClientFrom(Address, IPAddress.Parse(source), cookies);

    public static HttpClient ClientFrom(Uri address, IPAddress source, bool cookies = true)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = cookies,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        _process.Dispose();
        _directory.Dispose();
    }

    private async Task WaitUntilHealthyAsync()
    {
        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"caddy exited at start with code {_process.ExitCode}");
            }

            try
            {
                if ((await probe.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet: the deadline decides.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("caddy did not answer /healthz within 30 s");
    }
}
