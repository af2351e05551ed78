using System.Globalization;
using Microsoft.Extensions.Configuration;
using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Apps;

/// <summary>
/// One of the Api processes (Orleans silos) that share an app's users, each with its own data root. How many is
/// configuration (<c>Shards:Count</c>, default 1), read when the model is built, since each shard is a resource.
/// Shard <c>a</c> is today's single host: the same resource, compose service and data root, so scaling out never moves
/// an existing user's files; shards <c>b</c>, <c>c</c>, … are added beside it.
/// </summary>
public sealed record ApiShard(int Position)
{
    public const string CountKey = "Shards:Count";

    /// <summary>Ids run a…p; more silos than that on one platform DB is past what this deployment is built for.</summary>
    public const int MaxCount = 16;

    /// <summary>Orleans' default silo port, shard a of the first app; every other shard of every app takes its own.</summary>
    public const int FirstSiloPort = 11111;

    /// <summary>The Api's <c>Shards__Id</c> (a, b, …), and the suffix of every name of shards after the first.</summary>
    public string Id => ((char)('a' + Position)).ToString();

    public bool IsFirst => Position == 0;

    /// <summary>The dashboard's name: the app's own (<c>api</c>) for shard a, then <c>api-b</c>, <c>falcon-api-b</c>, ….</summary>
    public string ResourceName(HostedApp app) => IsFirst ? app.ResourceName : $"{app.ResourceName}-{Id}";

    /// <summary>The compose service: the runbook's <c>app</c> for shard a (so <c>build app</c> and <c>logs app</c> keep working), then <c>app-b</c>, ….</summary>
    public string ServiceName(HostedApp app) => IsFirst ? app.ServiceName : $"{app.ServiceName}-{Id}";

    /// <summary>
    /// Distinct for every app and shard: in run mode every silo listens on the same loopback. A compose network would
    /// allow one port for all, but one rule for both modes is one less thing to get wrong.
    /// </summary>
    public int SiloPort(HostedApp app) => FirstSiloPort + (app.Position * MaxCount) + Position;

    /// <summary>Run mode: shard a keeps <c>cloud-data</c>, the others take a sibling folder, never one inside another's tree.</summary>
    public string RunModeDataRoot(string stateDirectory) =>
        Path.Combine(stateDirectory, IsFirst ? "cloud-data" : $"cloud-data-{Id}");

    /// <summary>
    /// A deployment: the host folder mounted at the container's data root. Shard a keeps the runbook's
    /// <c>CLOUD_DATA_ROOT</c>; each other shard has its own variable (another disk or a host of its own) that defaults
    /// to a sibling of the runbook's folder. All apps of a shard share its folder, as all apps share the one today.
    /// </summary>
    public ComposeVariable HostDataRoot(bool sharded) => (IsFirst, sharded) switch
    {
        (true, false) => new ComposeVariable(
            "CLOUD_DATA_ROOT", "Host folder of the per-user data trees, mounted into every app; given to the apps' user (UID 1654) at each start.", "/devl/menagerie-data", Prompted: true),
        (true, true) => new ComposeVariable(
            "CLOUD_DATA_ROOT", "Host folder of shard a's per-user data trees (every user of a single-host install), mounted into each app's shard a and the backup; given to the apps' user (UID 1654) at each start.", "/devl/menagerie-data", Prompted: true),
        _ => new ComposeVariable(
            $"CLOUD_DATA_ROOT_{Id.ToUpperInvariant()}", $"Host folder of shard {Id}'s per-user data trees, mounted into each app's shard {Id} only; given to the apps' user (UID 1654) at each start.", $"/devl/menagerie-data-{Id}", Prompted: true),
    };

    /// <summary>Reads <c>Shards:Count</c> (command line <c>--Shards:Count 3</c>, environment <c>Shards__Count</c>), failing fast on anything but 1…16.</summary>
    public static IReadOnlyList<ApiShard> ReadAll(IConfiguration configuration)
    {
        var value = configuration[CountKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return [new ApiShard(0)];
        }

        if (!int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count is < 1 or > MaxCount)
        {
            throw new InvalidOperationException(
                $"{CountKey} is '{value}': it must be a whole number from 1 to {MaxCount}, the number of Api processes (shards) per hosted app");
        }

        return [.. Enumerable.Range(0, count).Select(position => new ApiShard(position))];
    }
}
