using System.Net;

namespace Peregrine.Fetching;

/// <summary>Turns a host name into the addresses a fetch may connect to (after <see cref="AddressPolicy"/> has judged them).</summary>
public interface IHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>
/// The system resolver, except for special-use names (RFC 6761, 6762, 2606): <c>.invalid</c>, <c>.test</c>,
/// <c>.example</c> and <c>.local</c> are never real job pages, so they fail without a DNS (or multicast) query.
/// </summary>
internal sealed class SystemHostResolver : IHostResolver
{
    private static readonly string[] SpecialUseSuffixes = [".invalid", ".test", ".example", ".local"];

    public async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var name = host.TrimEnd('.');
        if (SpecialUseSuffixes.Any(s => name.EndsWith(s, StringComparison.OrdinalIgnoreCase) || name.Equals(s[1..], StringComparison.OrdinalIgnoreCase)))
        {
            throw new FetchFailedException($"{host} is a reserved name, not a public web site");
        }

        try
        {
            return await Dns.GetHostAddressesAsync(name, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw new FetchFailedException($"Could not find {host} (DNS lookup failed)");
        }
    }
}
