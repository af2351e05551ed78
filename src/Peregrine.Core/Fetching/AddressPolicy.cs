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
        // Local-use NAT64 (RFC 8215): its translator, and the IPv4 network behind it, are the operator's own, whatever
        // address a prefix of any length (/48 to /96) embeds.
        IPNetwork.Parse("64:ff9b:1::/48"),
    ];

    // Where an IPv6 address carries an IPv4 one in its last 32 bits: IPv4-compatible (deprecated), IPv4-translated
    // (SIIT), and NAT64's well-known prefix.
    private static readonly IPNetwork[] LastFourBytes =
        [IPNetwork.Parse("::/96"), IPNetwork.Parse("::ffff:0:0:0/96"), IPNetwork.Parse("64:ff9b::/96")];

    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");
    private static readonly IPNetwork Teredo = IPNetwork.Parse("2001::/32");

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

        if (Refused.Any(network => network.Contains(plain)))
        {
            return false;
        }

        return plain.AddressFamily != AddressFamily.InterNetworkV6 || Embedded(plain).All(embedded => Allows(embedded, port));
    }

    /// <summary>The IPv4 addresses an IPv6 address carries, in each form a host, translator or relay may deliver to.</summary>
    private static IEnumerable<IPAddress> Embedded(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        if (LastFourBytes.Any(network => network.Contains(address)))
        {
            yield return new IPAddress(bytes.AsSpan(12, 4));
        }

        if (SixToFour.Contains(address))
        {
            yield return new IPAddress(bytes.AsSpan(2, 4));
        }

        if (Teredo.Contains(address))
        {
            // The Teredo server, and the client's public address, stored with every bit inverted.
            yield return new IPAddress(bytes.AsSpan(4, 4));
            yield return new IPAddress(bytes[12..16].Select(b => (byte)~b).ToArray());
        }

        // An ISATAP interface identifier (any prefix): ::0:5efe:a.b.c.d, with the universal/group bits set or not.
        if ((bytes[8] & 0xfc) == 0 && bytes[9] == 0 && bytes[10] == 0x5e && bytes[11] == 0xfe)
        {
            yield return new IPAddress(bytes.AsSpan(12, 4));
        }
    }
}
