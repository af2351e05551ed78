using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Peregrine.Security;

/// <summary>
/// <c>TRUSTED_PROXIES</c>: who may say who the client is. Entries are separated by spaces or commas: an IP address, a
/// network (<c>10.0.0.0/8</c>), <c>private_ranges</c> (Caddy's shorthand: RFC 1918, loopback, <c>fd00::/8</c>) or a
/// host name (the bastion's service name in compose, looked up again every half minute, since a restarted container
/// may get another address). Empty, the default: nobody, so a service reached directly never believes a header.
/// </summary>
public sealed class TrustedProxyOptions
{
    [ConfigurationKeyName("TRUSTED_PROXIES")]
    public string? Entries { get; set; }
}

/// <summary>
/// Behind the bastion every connection comes from the bastion: without this, every visitor shares one address (the
/// demo's per-address limit becomes one global bucket) and the scheme is always http (no cookie is ever Secure). A
/// request whose peer is a trusted proxy takes its client address from <c>X-Forwarded-For</c>, walked from the right
/// past every trusted hop, and its scheme from <c>X-Forwarded-Proto</c>; from any other peer both headers are
/// ignored. ASP.NET Core's own forwarded-header handling (which <c>ASPNETCORE_FORWARDEDHEADERS_ENABLED</c>, set by
/// container publishing, turns on for any peer) is switched off, so this is the one place that decides.
/// </summary>
public sealed partial class TrustedProxies : BackgroundService
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan RetryUnresolved = TimeSpan.FromSeconds(2);

    /// <summary>Caddy's <c>private_ranges</c>, so the bastion and the services can be given the same list.</summary>
    private static readonly IPNetwork[] PrivateRanges =
    [
        IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("192.168.0.0/16"),
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("::1/128"), IPNetwork.Parse("fd00::/8"),
    ];

    private readonly IPNetwork[] _networks;
    private readonly string[] _names;
    private readonly ILogger<TrustedProxies> _logger;
    private volatile IPAddress[] _resolved = [];

    public TrustedProxies(IOptions<TrustedProxyOptions> options, ILogger<TrustedProxies> logger)
    {
        _logger = logger;
        _ = TryParse(options.Value.Entries, out _networks, out _names);
    }

    /// <summary>The networks and host names of a <c>TRUSTED_PROXIES</c> value; false (naming it) for an entry that is neither.</summary>
    public static string? TryParse(string? entries, out IPNetwork[] networks, out string[] names)
    {
        var parsedNetworks = new List<IPNetwork>();
        var parsedNames = new List<string>();
        string? problem = null;
        foreach (var entry in (entries ?? string.Empty).Split([' ', ',', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (entry.Equals("private_ranges", StringComparison.OrdinalIgnoreCase))
            {
                parsedNetworks.AddRange(PrivateRanges);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                parsedNetworks.Add(new IPNetwork(Plain(address), Plain(address).AddressFamily == AddressFamily.InterNetwork ? 32 : 128));
            }
            else if (IPNetwork.TryParse(entry, out var network))
            {
                parsedNetworks.Add(network);
            }
            else if (Uri.CheckHostName(entry) == UriHostNameType.Dns)
            {
                parsedNames.Add(entry);
            }
            else
            {
                problem ??= $"TRUSTED_PROXIES entry '{entry}' is not an IP address, a network, private_ranges or a host name";
            }
        }

        networks = [.. parsedNetworks];
        names = [.. parsedNames];
        return problem;
    }

    public bool IsTrusted(IPAddress address)
    {
        var plain = Plain(address);
        return _networks.Any(network => network.Contains(plain)) || _resolved.Contains(plain);
    }

    /// <summary>Replaces the request's client address and scheme with what a trusted proxy forwarded.</summary>
    public void Apply(HttpContext context)
    {
        if (context.Connection.RemoteIpAddress is not { } peer || !IsTrusted(peer))
        {
            return;
        }

        var forwardedFor = Entries(context.Request.Headers["X-Forwarded-For"]);
        var client = peer;
        var hops = 0;
        for (var i = forwardedFor.Length - 1; i >= 0 && IsTrusted(client); i--)
        {
            if (!IPEndPoint.TryParse(forwardedFor[i], out var hop))
            {
                break;
            }

            client = Plain(hop.Address);
            hops++;
        }

        context.Connection.RemoteIpAddress = client;

        // One value per hop when the proxies append; otherwise (Caddy keeps a trusted edge's value) the one value.
        var forwardedProto = Entries(context.Request.Headers["X-Forwarded-Proto"]);
        var scheme = forwardedProto.Length == forwardedFor.Length && hops > 0 ? forwardedProto[^hops]
            : forwardedProto.Length > 0 ? forwardedProto[0]
            : null;
        if (scheme is "http" or "https")
        {
            context.Request.Scheme = scheme;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_names.Length == 0)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var resolved = new List<IPAddress>();
            foreach (var name in _names)
            {
                try
                {
                    resolved.AddRange((await Dns.GetHostAddressesAsync(name, stoppingToken)).Select(Plain));
                }
                catch (SocketException e)
                {
                    LogUnresolved(_logger, name, e.SocketErrorCode);
                }
            }

            _resolved = [.. resolved.Distinct()];
            await Task.Delay(resolved.Count == 0 ? RetryUnresolved : Refresh, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private static string[] Entries(Microsoft.Extensions.Primitives.StringValues values) =>
        [.. values.SelectMany(value => (value ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))];

    private static IPAddress Plain(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Trusted proxy '{Name}' does not resolve ({Error}); its forwarded headers are ignored until it does")]
    private static partial void LogUnresolved(ILogger logger, string name, SocketError error);
}
