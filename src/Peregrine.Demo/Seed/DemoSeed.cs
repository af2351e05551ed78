using Peregrine.Storage;

namespace Peregrine.Demo.Seed;

/// <summary>
/// The template every sandbox is copied from: <c>&lt;root&gt;/seed/&lt;version&gt;/</c> holding <c>staging.db</c> and
/// <c>config/</c>. Built once per seed version (at start-up, in a temp folder renamed into place, so a crash leaves no
/// half template); a new visitor then costs a file copy, not a seed run. Older versions are removed.
/// </summary>
public sealed class DemoSeed(DemoPaths paths, UserDatabases databases, ILogger<DemoSeed> logger)
{
    public const string DatabaseName = "staging.db";

    public string Version { get; } = SeedFiles.Version();

    /// <summary>The day the seed's dates are written as of.</summary>
    public DateOnly Today { get; } = SeedLoader.Today();

    public string TemplateDirectory => Path.Combine(paths.Seeds, Version);

    public async Task EnsureTemplateAsync(CancellationToken cancellationToken = default)
    {
        Directory.CreateDirectory(paths.Seeds);
        if (!Directory.Exists(TemplateDirectory))
        {
            var building = Path.Combine(paths.Seeds, $".build-{Guid.NewGuid():N}");
            try
            {
                var jobs = await BuildAsync(building, cancellationToken);
                Directory.Move(building, TemplateDirectory);
                logger.LogInformation("Built demo seed {Version}: {Jobs} jobs", Version, jobs);
            }
            finally
            {
                DeleteIfExists(building);
            }
        }

        foreach (var stale in Directory.EnumerateDirectories(paths.Seeds).Where(d => Path.GetFileName(d) != Version))
        {
            DeleteIfExists(stale);
        }
    }

    private async Task<int> BuildAsync(string directory, CancellationToken cancellationToken)
    {
        foreach (var name in SeedFiles.ConfigNames)
        {
            var target = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, SeedFiles.Read(name), cancellationToken);
        }

        var location = new DatabaseLocation($"demo-seed-{Version}", Path.Combine(directory, DatabaseName), Key: null);
        int jobs;
        await using (var db = await databases.OpenAsync(location, cancellationToken))
        {
            jobs = SeedLoader.Load(db);
            using var checkpoint = db.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        // Closing the pooled handle ends WAL mode's last connection: the template becomes one self-contained file.
        databases.Forget(location);
        File.Delete(location.Path + "-wal");
        File.Delete(location.Path + "-shm");
        return jobs;
    }

    internal static void DeleteIfExists(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
