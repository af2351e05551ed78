using System.Globalization;
using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Apps;

/// <summary>
/// The Api's <c>Shards</c> section for one shard of an app that has several. With one shard nothing is set: the Api
/// then runs as today's single host. Cluster id (one cluster per app) and gateway port (none) are the Api's defaults.
/// </summary>
public static class ApiShardExtensions
{
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
}
