using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Orleans.Configuration;
using Peregrine.Api.Erasure;
using Peregrine.Api.Platform;
using Peregrine.Api.Shards.Moves;
using Peregrine.Configuration;

namespace Peregrine.Api.Shards;

/// <summary>
/// Shard mode, opt-in by <c>Shards__Id</c> (see <see cref="ShardOptions"/>). Off, the default, nothing here is
/// registered and the pipeline has no extra step. On, this process is an Orleans silo whose cluster membership lives
/// in the platform DB (Orleans' ADO.NET clustering: its failure detector decides which shards are live), and every
/// request passes the <see cref="ShardRouter"/>.
/// </summary>
internal static class ShardHosting
{
    public static void AddShards(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(ShardOptions.Section).Get<ShardOptions>() ?? new ShardOptions();
        if (!options.IsEnabled)
        {
            return;
        }

        var cloud = builder.Configuration.Get<PeregrineOptions>()?.CloudMode ?? false;
        var connectionString = PlatformDatabase.ConfiguredConnectionString(builder.Configuration);
        if (!cloud || connectionString is null)
        {
            // Reported by PassesShardChecks, the way every other configuration problem is: one line, exit code 1.
            builder.Services.AddSingleton(new ShardConfigurationProblem(
                "Shards__Id is set, but shards need CLOUD_MODE and a platform DB (PLATFORM_DB_URL): the user map and the cluster's membership live there"));
            return;
        }

        if (AdvertisedAddress.Resolve(options.AdvertisedIp, out var addressProblem) is not { } advertisedIp)
        {
            builder.Services.AddSingleton(new ShardConfigurationProblem(addressProblem!));
            return;
        }

        builder.Services.AddOptions<ShardOptions>().BindConfiguration(ShardOptions.Section);
        // Registered before the silo, so the silo starts only once the membership tables exist (hosted services start in order).
        builder.Services.AddHostedService<ShardSchemaGate>();
        // Then, still before the silo (so before anything is placed), the users whose trees are on this disk become its.
        builder.Services.AddHostedService<ShardTreeClaims>();
        builder.UseOrleans(silo =>
        {
            var clusterId = options.ClusterId ?? $"peregrine-{builder.Configuration["PEREGRINE_APP"] ?? "peregrine"}";
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, clusterId));
            // The silo's name is the shard's: membership entries say which shard each silo is, across restarts.
            silo.Configure<SiloOptions>(o => o.SiloName = options.Id!);
            silo.ConfigureEndpoints(advertisedIp, options.SiloPort, options.GatewayPort);
            silo.UseAdoNetClustering(o => (o.Invariant, o.ConnectionString) = ("Npgsql", connectionString));
            // A hung shard is voted dead in seconds rather than the default tens of seconds (a killed one is noticed
            // at once anyway: forwarding to it fails to connect).
            silo.Configure<ClusterMembershipOptions>(o => o.ProbeTimeout = TimeSpan.FromSeconds(2));
            silo.AddPlacementDirector<UserMovePlacement, UserMovePlacementDirector>();
        });
        builder.Services.AddSingleton<ShardDirectory>();
        builder.Services.AddSingleton<UserShardMap>();
        builder.Services.AddMoves();
        // Erasure runs under the user's grain on their home, instead of on whichever data root is local.
        builder.Services.Replace(ServiceDescriptor.Singleton<IUserEraser, HomeShardEraser>());
        builder.Services.AddHostedService<ShardEndpointPublisher>();
        builder.Services.AddHttpForwarder();
    }

    /// <summary>False (having written why to stderr) when shard mode is asked for but cannot work.</summary>
    public static bool PassesShardChecks(this WebApplication app)
    {
        if (app.Services.GetService<ShardConfigurationProblem>() is not { } problem)
        {
            return true;
        }

        Console.Error.WriteLine($"peregrine: cannot start: {problem.Message}");
        return false;
    }

    /// <summary>Routes requests to their user's shard, and maps the calls a move makes; call first, before load shedding. Does nothing without shards.</summary>
    public static WebApplication UseShardRouting(this WebApplication app)
    {
        if (app.Configuration.GetSection(ShardOptions.Section).Get<ShardOptions>() is { IsEnabled: true })
        {
            app.UseMiddleware<ShardRouter>();
            app.MapShardMoves();
        }

        return app;
    }
}

internal sealed record ShardConfigurationProblem(string Message);

/// <summary>
/// Brings the platform schema up to date before the silo starts (Orleans reads its queries from it). Unlike the
/// single host, a shard cannot serve without the platform DB, so start-up waits for it, retrying.
/// </summary>
internal sealed partial class ShardSchemaGate(PlatformSchema schema, TimeProvider clock, ILogger<ShardSchemaGate> logger) : IHostedService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await schema.MigrateAsync(cancellationToken);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                LogWaiting(logger, e.GetType().Name);
            }

            await Task.Delay(RetryDelay, clock, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard waits for the platform DB to apply its schema ({Kind})")]
    private static partial void LogWaiting(ILogger logger, string kind);
}
