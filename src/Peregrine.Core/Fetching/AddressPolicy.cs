using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Fetching;

/// <summary>
/// Which IP addresses a fetch may connect to. In cloud and demo mode (many tenants behind one server) every address
/// that reaches the server's own network is refused: loopback, private (RFC 1918, IPv6 ULA), link-local (which holds
/// the cloud metadata service, 169.254.169.254), CGNAT, multicast, reserved and documentation ranges, and IPv6 forms
/// that embed one of those (IPv4-mapped, NAT64). Self-hosted local mode fetches what its one user asks.
/// </summary>
public sealed class AddressPolicy
{
    private static readonly IPNetwork[] Refused =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.0.0.0/24"), IPNetwork.Parse("192.0.2.0/24"), IPNetwork.Parse("192.88.99.0/24"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("198.18.0.0/15"), IPNetwork.Parse("198.51.100.0/24"),
        IPNetwork.Parse("203.0.113.0/24"), IPNetwork.Parse("224.0.0.0/4"), IPNetwork.Parse("240.0.0.0/4"),
        IPNetwork.Parse("::/128"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("100::/64"), IPNetwork.Parse("2001:db8::/32"),
        IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("fec0::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");

    private readonly HashSet<IPAddress> _allowedAddresses = [];
    private readonly HashSet<IPEndPoint> _allowedEndpoints = [];

    public AddressPolicy(IOptions<PeregrineOptions> peregrine, IOptions<FetchOptions> fetch)
        : this(peregrine.Value.CloudMode || peregrine.Value.DemoMode, fetch.Value.AllowedAddresses)
    {
    }

    public AddressPolicy(bool refusesPrivateAddresses, IEnumerable<string> allowed)
    {
        RefusesPrivateAddresses = refusesPrivateAddresses;
        foreach (var entry in allowed)
        {
            if (IPEndPoint.TryParse(entry, out var endpoint) && endpoint.Port != 0)
            {
                _allowedEndpoints.Add(endpoint);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                _allowedAddresses.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"Fetch:AllowedAddresses entry '{entry}' is not an IP address or ip:port");
            }
        }
    }

    public bool RefusesPrivateAddresses { get; }

    public bool Allows(IPAddress address, int port)
    {
        if (!RefusesPrivateAddresses)
        {
            return true;
        }

        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (_allowedAddresses.Contains(plain) || _allowedEndpoints.Contains(new IPEndPoint(plain, port)))
        {
            return true;
        }

        if (plain.AddressFamily == AddressFamily.InterNetworkV6 && Nat64.Contains(plain))
        {
            // A NAT64 gateway would carry this to the embedded IPv4 address: judge that one.
            var bytes = plain.GetAddressBytes();
            return Allows(new IPAddress(bytes.AsSpan(12, 4)), port);
        }

        return !Refused.Any(network => network.Contains(plain));
    }
}
