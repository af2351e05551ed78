using System.Net;

namespace Peregrine.Api.Shards;

/// <summary>
/// Configuration section <c>Shards</c> (environment: <c>Shards__Id</c>, <c>Shards__SiloPort</c>, …). Without an
/// <see cref="Id"/> the service is today's single host: no silo, no routing, nothing registered. With one, this process
/// is one shard of a cluster whose membership lives in the platform DB (<c>PLATFORM_DB_URL</c>), and every shard of a
/// cluster must share <c>CF_SERVER_SECRET</c>, <c>DIRECTUS_JWT_SECRET</c> and <see cref="ClusterId"/>.
/// </summary>
public sealed class ShardOptions
{
    public const string Section = "Shards";

    /// <summary>This shard's name (e.g. <c>a</c>, <c>shard-1</c>); users are placed on, and routed to, names. Kept across restarts.</summary>
    public string? Id { get; set; }

    /// <summary>The cluster this shard joins: shards with another value never see each other. Default <c>peregrine-{app}</c>.</summary>
    public string? ClusterId { get; set; }

    /// <summary>
    /// The address other silos reach this one on (silo-to-silo traffic): an IP, or a host name resolved once at start (a
    /// compose service name). Default loopback, for shards on one host.
    /// </summary>
    public string AdvertisedIp { get; set; } = IPAddress.Loopback.ToString();

    /// <summary>Orleans' silo-to-silo port; each shard on one host needs its own.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Orleans' client gateway port; 0 (the default) opens none, because no Orleans client talks to the shards.</summary>
    public int GatewayPort { get; set; }

    /// <summary>
    /// The HTTP base address other shards forward this shard's users to (e.g. <c>http://shard-a:8080</c> in compose).
    /// Default: the first address the server listens on, with a wildcard host replaced by loopback.
    /// </summary>
    public string? AdvertisedUrl { get; set; }

    /// <summary>What <c>Retry-After</c> tells a client whose shard is down.</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a forward may take to connect to the owner before its users get the 503.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a move waits for the user's requests in flight to finish before it gives up (and lets them all go on,
    /// unmoved); their later requests are held meanwhile.
    /// </summary>
    public TimeSpan MoveDrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a request may wait for its user's move to end before it is answered 503 (and may be retried).</summary>
    public TimeSpan MoveHoldTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Tests only: a move may be asked to stop after a given step as if its process had died there. Never set it in a deployment.</summary>
    public bool AllowMoveInterruptions { get; set; }

    public bool IsEnabled => !string.IsNullOrWhiteSpace(Id);
}
