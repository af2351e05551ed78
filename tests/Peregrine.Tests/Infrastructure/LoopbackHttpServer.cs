using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on 127.0.0.1 (Kestrel, port 0) for the fakes of third-party services (job sites, job boards, LLM
/// providers): the routes are the caller's. It counts the TCP connections it accepts and records each request's path,
/// so a test can prove that a refused fetch never reached it, or which pages were (not) fetched.
/// </summary>
public sealed class LoopbackHttpServer : IAsyncDisposable
{
    private static readonly TimeSpan StartStopBound = TimeSpan.FromSeconds(30);
    private readonly WebApplication _app;
    private int _connections;

    private LoopbackHttpServer(WebApplication app) => _app = app;

    public int AcceptedConnections => Volatile.Read(ref _connections);

    /// <summary>Path and query of every request, in arrival order.</summary>
    public ConcurrentQueue<string> RequestPaths { get; } = new();

    /// <summary>The root, <c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri Address { get; private set; } = null!;

    public int Port => Address.Port;

    public string Url(string path) => new Uri(Address, path).AbsoluteUri;

    public int RequestsTo(string path) => RequestPaths.Count(p => p == path);

    public static async Task<LoopbackHttpServer> StartAsync(Action<WebApplication> routes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        LoopbackHttpServer? server = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Use(next => connection =>
        {
            Interlocked.Increment(ref server!._connections);
            return next(connection);
        })));
        var app = builder.Build();
        server = new LoopbackHttpServer(app);
        app.Use((context, next) =>
        {
            server.RequestPaths.Enqueue(context.Request.Path + context.Request.QueryString);
            return next(context);
        });
        routes(app);
        await app.StartAsync().WaitAsync(StartStopBound);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Address = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        // Bounded: a handler that holds a response open must not hold the test run.
        using var stop = new CancellationTokenSource(StartStopBound);
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
