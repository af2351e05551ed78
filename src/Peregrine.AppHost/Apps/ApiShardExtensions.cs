using System.Globalization;
using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Apps;

/// <summary>
/// The Api's <c>Shards</c> section for one shard of an app that has several. With one shard nothing is set: the Api
/// then runs as today's single host. Cluster id (one cluster per app) and gateway port (none) are the Api's defaults.
/// </summary>
public static class ApiShardExtensions
{
    /// <summary>Where the Api keeps its Data Protection key ring by default: this folder of its data root (PeregrineOptions).</summary>
    public const string KeyRingFolder = ".data-protection";

    /// <summary>Where shards after the first see shard a's key ring in a deployment.</summary>
    public const string SharedKeyRingInContainer = "/data/keys";

    public static IResourceBuilder<ProjectResource> AsShard(
        this IResourceBuilder<ProjectResource> api, ApiShard shard, HostedApp app, IResourceBuilder<ProjectResource> firstShard)
    {
        var endpoint = api.GetEndpoint("http");
        api.WithEnvironment("Shards__Id", shard.Id)
            .WithEnvironment("Shards__SiloPort", shard.SiloPort(app).ToString(CultureInfo.InvariantCulture))
            // Where the other shards forward this shard's users: its compose service, or its port on loopback in run mode.
            .WithEnvironment("Shards__AdvertisedUrl", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Url)}"));
        if (!api.ApplicationBuilder.ExecutionContext.IsPublishMode)
        {
            // Every silo is on loopback, the Api's default address.
            return api;
        }

        // A container's address on the compose network is known only once it runs; its service name resolves to it
        // there, so the Api takes the name and looks it up at start.
        api.WithEnvironment("Shards__AdvertisedIp", ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Host)}"));
        // One image per app: `build app` builds what every shard runs, and one tag pins them all to one release.
        return shard.IsFirst ? api : api.WithComposeSettings(settings => settings with { ImageOf = firstShard.Resource.Name });
    }

    /// <summary>
    /// Every shard signs with shard a's Data Protection key ring, left where it is today (shard a's data root): a form
    /// one shard rendered may be posted to another (the bastion picks any shard for a request nobody owns, and a moved
    /// user's cookies were protected by the old shard). In a deployment that one folder of shard a's host folder is
    /// mounted into the others, so they run on shard a's host or see that folder through shared storage.
    /// </summary>
    public static IResourceBuilder<ProjectResource> UsesKeyRingOfShardA(this IResourceBuilder<ProjectResource> api, ApiShard shard, AppHostLayout layout)
    {
        if (shard.IsFirst)
        {
            return api;
        }

        var shardA = new ApiShard(0);
        return api.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? api.WithEnvironment("DATA_PROTECTION_KEYS_DIR", SharedKeyRingInContainer)
                .WithComposeHostMount(shardA.HostDataRoot(sharded: true), SharedKeyRingInContainer, subPath: "/" + KeyRingFolder)
            : api.WithEnvironment("DATA_PROTECTION_KEYS_DIR", Path.Combine(shardA.RunModeDataRoot(layout.StateDirectory), KeyRingFolder));
    }
}
