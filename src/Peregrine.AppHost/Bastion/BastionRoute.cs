namespace Peregrine.AppHost.Bastion;

/// <summary>
/// One <c>handle /&lt;slug&gt;*</c> block of the bastion. The upstream is a Caddy environment placeholder so the same
/// text serves run mode (a loopback port), compose (a service name) and the runbook's shared caddy-proxy.
/// </summary>
/// <param name="ForwardSession">
/// Copy the whole Cookie header into <c>X-CF-Session</c> (the runbook's contract with the cloud API). The demo has no
/// sessions, so its bastion does not hand it anyone's cookies.
/// </param>
/// <param name="Upstreams">
/// How many servers the variable lists (space-separated): an app's shards. With more than one, requests are spread
/// over them and a shard that is down is skipped.
/// </param>
public sealed record BastionRoute(string Slug, string UpstreamVariable, bool ForwardSession, int Upstreams = 1);
