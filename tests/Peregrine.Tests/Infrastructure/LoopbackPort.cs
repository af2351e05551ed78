using System.Net;
using System.Net.Sockets;

namespace Peregrine.Tests.Infrastructure;

/// <summary>A port on 127.0.0.1 that nothing listens on right now, for servers the tests start themselves.</summary>
public static class LoopbackPort
{
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
