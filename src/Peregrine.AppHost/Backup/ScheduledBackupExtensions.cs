using Peregrine.AppHost.Apps;
using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Backup;

/// <summary>
/// A deployment's scheduled backup (docs/disaster-recovery.md): the app's own image running <c>backup-schedule</c>, a
/// snapshot of the whole instance every <c>BACKUP_INTERVAL_MINUTES</c> and the new erasures shipped every minute, into
/// the restic repository of <c>.env</c>. Opt-in through its compose profile, so a stack without a repository starts
/// without it.
/// </summary>
public static class ScheduledBackupExtensions
{
    public const string ServiceName = "backup";

    /// <summary>The compose profile that starts the backup service; .env.example leaves it out until a repository is set.</summary>
    public const string Profile = "backup";

    /// <param name="app">The app whose image the service runs (its entry point takes the verb).</param>
    /// <param name="configure">What every cloud service of this instance gets: data root, secrets, platform DB.</param>
    public static IResourceBuilder<ProjectResource> AddScheduledBackup(
        this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> app,
        Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> configure)
    {
        var repository = builder.AddParameter("restic-repository")
            .WithDescription($"Restic repository of the scheduled backup: a restic URL (sftp:…, s3:…, rest:…) off this host, or a path inside the container's data root. Then add {Profile} to COMPOSE_PROFILES.")
            .WithComposeVariable(name: "RESTIC_REPOSITORY", required: false);
        var password = builder.AddParameter("restic-password", secret: true)
            .WithDescription("Password of that repository (openssl rand -hex 32); keep a copy off the host with CF_SERVER_SECRET.")
            .WithComposeVariable(name: "RESTIC_PASSWORD", required: false);
        var interval = builder.AddParameter("backup-interval-minutes")
            .WithDescription("Minutes between two snapshots of the scheduled backup.")
            .WithComposeVariable(name: "BACKUP_INTERVAL_MINUTES", defaultValue: "1440", required: false);

        // No launch profile: the service listens on nothing; it is a process of the app's image with another verb.
        var backup = builder.AddProject<Projects.Peregrine_Api>(ServiceName, launchProfileName: null)
            .WithArgs("backup-schedule")
            .WithEnvironment("RESTIC_REPOSITORY", repository)
            .WithEnvironment("RESTIC_PASSWORD", password)
            .WithEnvironment("BACKUP_INTERVAL_MINUTES", interval)
            // The root file system is read-only: restic keeps its cache in the tmpfs.
            .WithEnvironment("RESTIC_CACHE_DIR", "/tmp/restic-cache")
            .WaitFor(app);
        return configure(backup).WithComposeSettings(settings => settings with
        {
            ImageOf = app.Resource.Name,
            // After the app is healthy: its data owner has given the data root to the image's user, and it has migrated
            // the platform DB. The first snapshot is taken at start, and a failed one is retried only an interval later.
            WaitsUntilHealthy = true,
            Profiles = [Profile],
            OptIn = true,
            ReadOnlyRootFileSystem = true,
            Tmpfs = ["/tmp"],
            // The image's check probes the app's HTTP port; this process listens on none.
            HealthCheck = ComposeHealthCheck.None,
        });
    }

    /// <summary>
    /// A sharded deployment's backup snapshots every shard's users, so it mounts every shard's data root (shard a's at the
    /// usual place, the others beside it) and names each with <c>Shards__DataRoots__&lt;id&gt;</c>, the setting the
    /// Api's disaster-recovery verbs read. It starts after every shard, whose data owners have given it their folders.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithEveryShardsDataRoot(
        this IResourceBuilder<ProjectResource> backup, IReadOnlyList<ApiShard> shards, IEnumerable<IResourceBuilder<ProjectResource>> shardApis)
    {
        if (shards.Count == 1)
        {
            return backup;
        }

        foreach (var (shard, api) in shards.Zip(shardApis))
        {
            var inContainer = shard.IsFirst ? AppHostLayout.CloudDataRootInContainer : $"{AppHostLayout.CloudDataRootInContainer}-{shard.Id}";
            backup.WithEnvironment($"Shards__DataRoots__{shard.Id}", inContainer).WaitFor(api);
            if (!shard.IsFirst)
            {
                backup.WithComposeHostMount(shard.HostDataRoot(sharded: true), inContainer);
            }
        }

        return backup;
    }
}
