using System.Text;

namespace Peregrine.AppHost.Bastion;

/// <summary>
/// The one generator of the bastion's Caddy configuration, used by run mode (written under the state folder) and by
/// publish (written into the config directory the caddy container mounts). Pure text: unit-tested without Caddy.
/// </summary>
public static class CaddyConfig
{
    public const string CaddyfileName = "Caddyfile";
    public const string RoutesFileName = "routes.caddy";
    /// <summary>The bastion's own list of trusted proxies (Caddy ranges, e.g. <c>private_ranges</c>), from its environment.</summary>
    public const string TrustedProxiesVariable = "BASTION_TRUSTED_PROXIES";

    public const string NotYetAvailable = "This app is not yet available in the managed cloud — check back soon.";

    /// <summary>
    /// Fields dropped from the access log: the whole request and response header maps. They hold the credentials
    /// (<c>Cookie</c>, the copied <c>X-CF-Session</c>, <c>Authorization</c>, <c>Set-Cookie</c>), and encoding them was
    /// most of the log's cost, which was 14–37 % of a small request's. What stays per request: time, remote
    /// address, method, host, URI, protocol, status, size, duration. Caddy 2.6 cannot buffer its file output, so
    /// fewer fields is the saving it offers.
    /// </summary>
    public static readonly IReadOnlyList<string> RedactedLogFields =
    [
        "request>headers",
        "resp_headers",
    ];

    /// <summary>
    /// The site: health endpoint, the imported route blocks, the runbook's 503 for anything else, a redacted JSON
    /// access log. Listen port, bind address and log file come from the environment (<c>{$VAR}</c>) at load time.
    /// </summary>
    public static string Caddyfile()
    {
        var text = new StringBuilder()
            .AppendLine(GeneratedHeader)
            .AppendLine("{")
            .AppendLine("\t# No admin API and no certificates: TLS ends at the edge proxy, and the config is a file.")
            .AppendLine("\tadmin off")
            .AppendLine("\tauto_https off")
            .AppendLine("}")
            .AppendLine()
            .AppendLine(":{$BASTION_PORT} {")
            .AppendLine("\tbind {$BASTION_BIND:0.0.0.0}")
            .AppendLine()
            .AppendLine("\thandle /healthz {")
            .AppendLine("\t\trespond \"ok\" 200")
            .AppendLine("\t}")
            .AppendLine()
            .AppendLine($"\timport {RoutesFileName}")
            .AppendLine()
            .AppendLine("\thandle {")
            .AppendLine($"\t\trespond \"{NotYetAvailable}\" 503")
            .AppendLine("\t}")
            .AppendLine()
            .AppendLine("\tlog {")
            .AppendLine("\t\toutput file {$BASTION_LOG_FILE:/data/logs/bastion-access.log}")
            .AppendLine("\t\t# No header is logged: session cookies, the copied X-CF-Session and bearer tokens are credentials,")
            .AppendLine("\t\t# and the header maps were most of the log's cost per request.")
            .AppendLine("\t\tformat filter {")
            .AppendLine("\t\t\twrap json")
            .AppendLine("\t\t\tfields {");
        foreach (var field in RedactedLogFields)
        {
            text.AppendLine($"\t\t\t\t{field} delete");
        }

        return text
            .AppendLine("\t\t\t}")
            .AppendLine("\t\t}")
            .AppendLine("\t}")
            .AppendLine("}")
            .ToString();
    }

    /// <summary>
    /// The route blocks alone, importable by the bastion and by an existing Caddy (the runbook's caddy-proxy) inside
    /// its site block, with each <c>*_UPSTREAM</c> set in that Caddy's environment.
    /// </summary>
    public static string Routes(IEnumerable<BastionRoute> routes)
    {
        var text = new StringBuilder()
            .AppendLine(GeneratedHeader)
            .AppendLine("# Import inside a site block; each {$<APP>_UPSTREAM} is the app's host:port.");
        var routeList = routes.ToList();
        if (routeList.Any(route => route.Upstreams > 1))
        {
            text.AppendLine("# An app with shards lists each shard's host:port, separated by spaces.");
        }

        foreach (var route in routeList)
        {
            text.AppendLine()
                .AppendLine($"handle /{route.Slug}* {{")
                .AppendLine($"\treverse_proxy {{${route.UpstreamVariable}}} {{")
                .AppendLine("\t\t# X-Forwarded-For/-Proto are believed from these peers only (the edge that ends TLS); from anyone else")
                .AppendLine("\t\t# they are replaced by the real peer and scheme. Empty (the default here): nobody.")
                .AppendLine($"\t\ttrusted_proxies {{${TrustedProxiesVariable}}}");
            if (route.Upstreams > 1)
            {
                AppendSpreadOverShards(text);
            }

            if (route.ForwardSession)
            {
                text.AppendLine("\t\t# The API reads the Directus session from the whole Cookie header, copied here.")
                    .AppendLine("\t\theader_up X-CF-Session {header.Cookie}");
            }

            text.AppendLine("\t\t# Keep upstream connections open for reuse: Caddy keeps only 32 idle ones per host by default, so")
                .AppendLine("\t\t# a burst of a thousand users' requests opened (and closed) a new connection to the API per request.")
                .AppendLine("\t\ttransport http {")
                .AppendLine($"\t\t\tkeepalive {UpstreamKeepAlive}")
                .AppendLine($"\t\t\tkeepalive_idle_conns {UpstreamIdleConnections}")
                .AppendLine($"\t\t\tkeepalive_idle_conns_per_host {UpstreamIdleConnections}")
                .AppendLine("\t\t}");

            text.AppendLine("\t}")
                .AppendLine("}");
        }

        return text.ToString();
    }

    /// <summary>
    /// Any shard takes any request (it forwards a user's request to the user's home shard), so spreading is only about
    /// load, and correctness never depends on the choice: no hash of the Cookie header (it changes with every cookie).
    /// A shard that refuses connections is retried elsewhere at once and left out for a while; the same /health the
    /// AppHost and compose probe says when it is back.
    /// </summary>
    private static void AppendSpreadOverShards(StringBuilder text) => text
        .AppendLine("\t\t# Any shard serves any user (it forwards to the user's home shard): spread by load, never by a hash")
        .AppendLine("\t\t# of the Cookie header.")
        .AppendLine("\t\tlb_policy least_conn")
        .AppendLine("\t\t# A shard that is down is skipped: a refused connection is tried on another shard, and that shard is")
        .AppendLine($"\t\t# left out for {ShardFailDuration}; it is back once its /health answers again.")
        .AppendLine($"\t\tlb_try_duration {ShardTryDuration}")
        .AppendLine("\t\tlb_try_interval 250ms")
        .AppendLine($"\t\tfail_duration {ShardFailDuration}")
        .AppendLine($"\t\thealth_uri {ShardHealthPath}")
        .AppendLine($"\t\thealth_interval {ShardHealthInterval}")
        .AppendLine("\t\thealth_timeout 3s");

    /// <summary>The probe of each shard: the check the AppHost and compose use (200 also when only the platform DB is down).</summary>
    public const string ShardHealthPath = "/health";

    public const string ShardHealthInterval = "5s";

    /// <summary>How long a shard whose connection failed is left out before requests try it again.</summary>
    public const string ShardFailDuration = "10s";

    /// <summary>How long a request keeps looking for a shard that takes its connection.</summary>
    public const string ShardTryDuration = "5s";

    /// <summary>How long an idle upstream connection is kept for reuse.</summary>
    public const string UpstreamKeepAlive = "5m";

    /// <summary>Idle upstream connections kept per API: enough for the requests in flight at the host's capacity.</summary>
    public const int UpstreamIdleConnections = 512;

    private const string GeneratedHeader =
        "# Generated from the AppHost model (src/Peregrine.AppHost) by ./eng/publish.sh — edit the model, not this file.";
}
