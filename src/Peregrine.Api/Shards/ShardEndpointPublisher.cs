using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Runtime;

namespace Peregrine.Api.Shards;

/// <summary>
/// Once the server listens, writes this shard's HTTP address (with its silo generation) to <c>shard_endpoints</c>, so
/// the other shards can forward its users here; retried until the platform DB takes it. The silo joined the
/// membership earlier (hosted services start before the server), so for that moment the other shards see it live but
/// without an address and answer its users 503, as they would while it was down.
/// </summary>
internal sealed partial class ShardEndpointPublisher(
    ShardDirectory directory,
    ILocalSiloDetails silo,
    IServer server,
    IHostApplicationLifetime lifetime,
    IOptions<ShardOptions> options,
    TimeProvider clock,
    ILogger<ShardEndpointPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var shardId = options.Value.Id!;
        var address = AdvertisedUrl(options.Value.AdvertisedUrl, server.Features.Get<IServerAddressesFeature>()?.Addresses);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await directory.PublishAsync(shardId, address, silo.SiloAddress, stoppingToken);
                LogPublished(logger, shardId, address, silo.SiloAddress);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogRetry(logger, e.GetType().Name);
            }

            await Task.Delay(RetryDelay, clock, stoppingToken);
        }
    }

    /// <summary>The configured address, else the first one the server listens on, a wildcard host made loopback.</summary>
    internal static Uri AdvertisedUrl(string? configured, ICollection<string>? listening)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new Uri(configured);
        }

        var first = listening?.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? listening?.FirstOrDefault()
            ?? throw new InvalidOperationException("the server listens on no address, and Shards__AdvertisedUrl is not set");
        var uri = new UriBuilder(first.Replace("://+", "://0.0.0.0", StringComparison.Ordinal).Replace("://*", "://0.0.0.0", StringComparison.Ordinal));
        if (uri.Host is "0.0.0.0" or "[::]" or "::")
        {
            uri.Host = "127.0.0.1";
        }

        return uri.Uri;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {ShardId} serves at {Address} (silo {Silo})")]
    private static partial void LogPublished(ILogger logger, string shardId, Uri address, SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not publish this shard's address ({Kind}); retrying")]
    private static partial void LogRetry(ILogger logger, string kind);
}
