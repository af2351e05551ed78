using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Peregrine.Fetching;

namespace Peregrine.Tests.Fetching;

/// <summary>
/// The fetcher's real socket opener, recording every endpoint it is asked to connect to. It connects only to
/// loopback: anything else is recorded and fails as unreachable, so even a broken address policy sends no traffic off
/// this machine (the record is what a test asserts on).
/// </summary>
internal sealed class RecordingConnections : IConnectionOpener
{
    private readonly SocketConnectionOpener _real = new();

    public ConcurrentQueue<IPEndPoint> Attempts { get; } = new();

    public ValueTask<Stream> OpenAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        Attempts.Enqueue(endpoint);
        return IPAddress.IsLoopback(endpoint.Address)
            ? _real.OpenAsync(endpoint, cancellationToken)
            : throw new SocketException((int)SocketError.NetworkUnreachable);
    }
}

/// <summary>Names the tests resolve without DNS: each maps to the addresses a hostile or a fixture host would give.</summary>
internal sealed class StaticHostResolver(IReadOnlyDictionary<string, IPAddress[]> names) : IHostResolver
{
    /// <summary>Lookups per name: a refused fetch that were retried would look its name up again.</summary>
    public ConcurrentDictionary<string, int> Lookups { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        Lookups.AddOrUpdate(host, 1, (_, n) => n + 1);
        return names.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : throw new FetchFailedException($"Could not find {host} (DNS lookup failed)");
    }
}
