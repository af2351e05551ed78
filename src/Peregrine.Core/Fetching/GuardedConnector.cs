using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace Peregrine.Fetching;

/// <summary>Opens the TCP connection to an address already judged safe; tests substitute one that records attempts.</summary>
public interface IConnectionOpener
{
    ValueTask<Stream> OpenAsync(IPEndPoint endpoint, CancellationToken cancellationToken);
}

internal sealed class SocketConnectionOpener : IConnectionOpener
{
    public async ValueTask<Stream> OpenAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>
/// The <see cref="SocketsHttpHandler.ConnectCallback"/> of every fetch: it resolves the host itself, judges every
/// address with <see cref="AddressPolicy"/>, and connects to an address it judged, never to the name. So the check
/// holds after DNS resolution, on every redirect hop (each hop connects through here), and against DNS rebinding (the
/// name is not resolved a second time by someone else between the check and the connect).
/// </summary>
public sealed class GuardedConnector(IHostResolver resolver, AddressPolicy policy, IConnectionOpener opener)
{
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host.Trim('[', ']');
        var port = context.DnsEndPoint.Port;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await resolver.ResolveAsync(host, cancellationToken);
        if (addresses.Length == 0)
        {
            throw new FetchFailedException($"Could not find {host} (it has no address)");
        }

        // Any refused address refuses the host: a name that mixes public and private answers is not trusted with either.
        if (addresses.FirstOrDefault(a => !policy.Allows(a, port)) is { } refused)
        {
            throw new AddressRefusedException(
                $"Refused to fetch {host}: it resolves to {refused}, a loopback, private, link-local or otherwise internal address");
        }

        SocketException? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await opener.OpenAsync(new IPEndPoint(address, port), cancellationToken);
            }
            catch (SocketException e)
            {
                last = e;
            }
        }

        throw new FetchFailedException($"Could not connect to {host} ({last?.SocketErrorCode})");
    }
}
