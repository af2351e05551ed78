using System.Net;
using System.Net.Sockets;

namespace Peregrine.Api.Shards;

/// <summary>
/// The silo address other shards reach this one on. In compose it is the shard's own service name (<c>app-b</c>),
/// because a container's IP changes when it is recreated and the name does not; Orleans needs an IP, so the name is
/// resolved once, at start. An IP literal is used as is.
/// </summary>
internal static class AdvertisedAddress
{
    public const int DefaultAttempts = 10;
    public static readonly TimeSpan DefaultDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The address, or null with <paramref name="problem"/> saying why. A name is retried a bounded number of times: a
    /// container's DNS entry can lag its start by a moment.
    /// </summary>
    public static IPAddress? Resolve(string hostOrIp, out string? problem, int? attempts = null, TimeSpan? delay = null)
    {
        problem = null;
        if (IPAddress.TryParse(hostOrIp, out var literal))
        {
            return literal;
        }

        var tries = attempts ?? DefaultAttempts;
        string? lastError = null;
        for (var attempt = 1; attempt <= tries; attempt++)
        {
            try
            {
                var addresses = Dns.GetHostAddresses(hostOrIp);
                // IPv4 first: the other silos and the compose network speak it; an IPv6 entry alone still works.
                var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
                if (chosen is not null)
                {
                    return chosen;
                }

                lastError = "no address";
            }
            catch (SocketException e)
            {
                lastError = e.SocketErrorCode.ToString();
            }

            if (attempt < tries)
            {
                Thread.Sleep(delay ?? DefaultDelay);
            }
        }

        problem = $"Shards__AdvertisedIp '{hostOrIp}' is neither an IP address nor a host name that resolves ({lastError} after {tries} attempts)";
        return null;
    }
}
