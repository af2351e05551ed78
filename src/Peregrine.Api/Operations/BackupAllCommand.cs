using System.CommandLine;
using System.Diagnostics;
using Dapper;
using Npgsql;
using Peregrine.Api.Erasure;
using Peregrine.Api.Operations.DisasterRecovery;
using Peregrine.Api.Platform;
using Peregrine.Api.Shards;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Api.Operations;

/// <summary>What one <c>backup-all</c> run did.</summary>
public sealed record InstanceBackupSummary(
    string SnapshotId, int Users, int Trees, int Copied, int Unchanged, IReadOnlyList<FailedTree> Failed,
    TimeSpan LongestPause, int ErasuresShipped, long StagedBytes, long DataAdded, TimeSpan Elapsed);

/// <summary>
/// <c>backup-all</c>: one consistent snapshot set of the instance into the restic repository (<c>RESTIC_REPOSITORY</c>,
/// <c>RESTIC_PASSWORD</c>): every user tree (DBs copied still encrypted, with their key-id records; <c>config/</c> and
/// <c>data/</c>), a <c>pg_dump</c> of the platform DB, the Data Protection keys, and a manifest. New erasures are shipped
/// to the repository's erasure log first. Safe while the service runs: trees are copied a few at a time, and a user's
/// writers wait only while their own DB file is copied (the longest such pause is reported). Resumable and idempotent:
/// the staging area remembers what each run copied, so a killed run's successor copies only what is missing or changed.
/// </summary>
public static class BackupAllCommand
{
    public const string Name = "backup-all";

    public static OperatorVerb Verb { get; } = Build();

    /// <summary>How long a snapshot waits for the moves of users between shards that are running when it starts.</summary>
    private static readonly TimeSpan MovesInFlightWait = TimeSpan.FromMinutes(2);

    /// <summary>Stages every tree, the platform dump, the keys and the manifest, then snapshots them.</summary>
    public static async Task<InstanceBackupSummary> RunAsync(
        PeregrineOptions settings, ShardDataRoots roots, DisasterRecoveryOptions options, string platformConnectionString, TimeProvider clock,
        TextWriter progress, int concurrency, TimeSpan pauseBetween, CancellationToken cancellationToken)
    {
        var elapsed = Stopwatch.StartNew();
        var area = new StagingArea(options.Staging(settings));
        area.Create();
        var restic = new ResticRepository(options);
        if (await restic.EnsureInitializedAsync(cancellationToken))
        {
            await progress.WriteLineAsync("backup-all: created the repository");
        }

        await restic.UnlockAsync(cancellationToken);
        var shipped = await new ErasureLog(restic, platformConnectionString).ShipAsync(force: false, cancellationToken);

        // From here to the platform dump no user moves: each tree is copied once, from the home the dump names.
        List<TreeAtHome> trees;
        StagedTree[] results;
        PlatformEntry platform;
        await using (var noMoves = await SnapshotLock.EnterSnapshotAsync(platformConnectionString, MovesInFlightWait, cancellationToken))
        {
            var homes = await ShardDataRoots.HomesAsync(noMoves.Connection, cancellationToken);
            roots.EnsureEveryHomeReachable(homes);
            trees = roots.TreesAtHome(settings, homes);
            results = await StageAsync(trees, new UserTreeStaging(area, clock), progress, concurrency, pauseBetween, cancellationToken);
            area.RemoveAllBut(trees.Select(t => (t.Tree.UserId, t.Tree.App)).ToHashSet());

            var dumpedAt = clock.GetUtcNow();
            await new PlatformDump(platformConnectionString).DumpAsync(area.PlatformDump, cancellationToken);
            platform = new PlatformEntry(SnapshotFile.Of(area.Snapshot, area.PlatformDump), dumpedAt, await SchemaVersionsAsync(platformConnectionString, cancellationToken));
        }

        var keys = StageKeys(settings.KeyRingDirectory(), area);
        var entries = results.Where(r => r.Entry is not null).Select(r => r.Entry!).ToList();
        var failed = trees.Zip(results).Where(p => p.Second.Failure is not null).Select(p => new FailedTree(p.First.Tree.UserId, p.First.Tree.App, p.Second.Failure!)).ToList();
        var manifest = new InstanceManifest(InstanceManifest.CurrentFormat, clock.GetUtcNow(),
            [.. entries.Select(e => e.KeyId).OfType<string>().Distinct().Order(StringComparer.Ordinal)], platform, keys, entries, failed);
        StagingArea.WriteJson(area.Manifest, manifest);

        var backup = await restic.BackupAsync(area.Snapshot, ResticRepository.InstanceTag, cancellationToken);
        return new InstanceBackupSummary(
            backup.SnapshotId, trees.Select(t => t.Tree.UserId).Distinct().Count(), trees.Count,
            results.Count(r => r.Copied), results.Count(r => r.Failure is null && !r.Copied), failed,
            results.Select(r => r.WriterPause).DefaultIfEmpty().Max(), shipped, manifest.TotalBytes, backup.DataAdded, elapsed.Elapsed);
    }

    /// <summary>Every tree brought up to date in the staging area, a few at a time, with a progress line each.</summary>
    private static async Task<StagedTree[]> StageAsync(
        List<TreeAtHome> trees, UserTreeStaging staging, TextWriter progress, int concurrency, TimeSpan pauseBetween, CancellationToken cancellationToken)
    {
        var results = new StagedTree[trees.Count];
        var done = 0;
        var gate = new Lock();
        await Parallel.ForEachAsync(Enumerable.Range(0, trees.Count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (index, token) =>
        {
            var (root, user) = trees[index];
            var staged = results[index] = staging.Stage(user, root.Shard);
            lock (gate)
            {
                done++;
                progress.WriteLine($"[{done}/{trees.Count}] {user.UserId}/{user.App}{(root.Shard is null ? string.Empty : " (shard " + root.Shard + ")")}: {Describe(staged)}");
            }

            if (pauseBetween > TimeSpan.Zero)
            {
                await Task.Delay(pauseBetween, token);
            }
        });
        return results;
    }

    /// <summary>The key ring's files, copied as they are (they are protected at rest however the ring keeps them).</summary>
    private static List<SnapshotFile> StageKeys(string keyRing, StagingArea area)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var staged = new List<SnapshotFile>();
        if (Directory.Exists(keyRing))
        {
            foreach (var file in Directory.EnumerateFiles(keyRing).Order(StringComparer.Ordinal))
            {
                var destination = Path.Combine(area.Keys, Path.GetFileName(file));
                File.Copy(file, destination + ".staging", overwrite: true);
                File.Move(destination + ".staging", destination, overwrite: true);
                wanted.Add(destination);
                staged.Add(SnapshotFile.Of(area.Snapshot, destination));
            }
        }

        foreach (var stale in Directory.EnumerateFiles(area.Keys).Where(f => !wanted.Contains(f)))
        {
            File.Delete(stale);
        }

        return staged;
    }

    private static async Task<IReadOnlyList<string>> SchemaVersionsAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<string>(new CommandDefinition("SELECT version FROM platform_schema_migrations ORDER BY version", cancellationToken: cancellationToken))];
    }

    private static string Describe(StagedTree staged) =>
        staged.Failure is { } failure ? "FAILED: " + failure + (staged.Entry is null ? string.Empty : " (the previous copy is kept)")
        : staged.Copied ? FormattableString.Invariant($"copied (writers paused {staged.WriterPause.TotalMilliseconds:F1} ms)")
        : "unchanged";

    /// <summary>The platform DB's connection string, as the service finds it (<c>PLATFORM_DB_URL</c>, else the Aspire reference).</summary>
    internal static string? PlatformConnection(IConfiguration configuration)
    {
        var configured = configuration["PLATFORM_DB_URL"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            configured = configuration.GetConnectionString(PlatformDatabase.ConnectionName);
        }

        return string.IsNullOrWhiteSpace(configured) ? null : PlatformConnectionString.Normalize(configured);
    }

    /// <summary>The shared preamble of the disaster-recovery verbs: the repository and the platform DB must be configured.</summary>
    internal static Task<int> RunWithRepositoryAsync(string verb, Func<IServiceProvider, PeregrineOptions, DisasterRecoveryOptions, string, CancellationToken, Task<int>> body, CancellationToken cancellationToken) =>
        OperatorHost.RunAsync(verb, app: null, async (services, settings, token) =>
        {
            var configuration = services.GetRequiredService<IConfiguration>();
            var options = DisasterRecoveryOptions.From(configuration);
            if (options.Missing() is { } missing)
            {
                return OperatorCommands.Fail(OperatorCommands.BadUsage, $"{verb}: {missing}");
            }

            if (PlatformConnection(configuration) is not { } platform)
            {
                return OperatorCommands.Fail(OperatorCommands.BadUsage, $"{verb}: PLATFORM_DB_URL is not set");
            }

            try
            {
                return await body(services, settings, options, platform, token);
            }
            catch (Exception e) when (e is ResticException or PlatformDumpException or InvalidDataException or IOException or DataRootMissingException or TimeoutException)
            {
                return OperatorCommands.Fail(OperatorCommands.Failed, $"{verb}: {e.Message}");
            }
            catch (PostgresException e)
            {
                // The server's own message names the statement's objects; its detail (which can hold values) is left out.
                return OperatorCommands.Fail(OperatorCommands.Failed, $"{verb}: the platform DB refused a statement ({e.SqlState}: {e.MessageText})");
            }
            catch (Exception e) when (PlatformDb.IsOutage(e))
            {
                return OperatorCommands.Fail(OperatorCommands.Failed, $"{verb}: the platform DB is not reachable (PLATFORM_DB_URL)");
            }
        }, cancellationToken);

    private static OperatorVerb Build()
    {
        var concurrency = new Option<int?>("--concurrency") { Description = "User trees copied at once (default BACKUP_CONCURRENCY, 2)." };
        var pause = new Option<int>("--pause-ms") { Description = "Pause after each tree, to spread the I/O (milliseconds).", DefaultValueFactory = _ => 0 };
        var forget = new Option<bool>("--forget") { Description = "Then apply the retention policy (BACKUP_KEEP_DAILY, _WEEKLY, _MONTHLY) with restic forget --prune." };
        var command = new Command(Name, "Snapshot the whole instance (user trees still encrypted, the platform DB, the keys, a manifest) into the restic repository. Resumable; safe while the service runs.")
        {
            concurrency,
            pause,
            forget,
        };
        const string usage = "usage: Peregrine.Api backup-all [--concurrency <1-16>] [--pause-ms <0-60000>] [--forget]";
        command.SetAction((parsed, cancellationToken) => parsed.GetValue(concurrency) is < 1 or > 16 || parsed.GetValue(pause) is < 0 or > 60_000
            ? Task.FromResult(OperatorCommands.Fail(OperatorCommands.BadUsage, $"--concurrency or --pause-ms is out of range; {usage}"))
            : RunWithRepositoryAsync(Name, (services, settings, options, platform, token) =>
                BackUpOnceAsync(services, settings, options, platform, parsed.GetValue(concurrency) ?? options.Concurrency, TimeSpan.FromMilliseconds(parsed.GetValue(pause)), parsed.GetValue(forget), token),
                cancellationToken));
        return new OperatorVerb(command, usage);
    }

    /// <summary>One whole run as the verb does it (also the scheduled service's): lock, snapshot, retention, summary.</summary>
    internal static async Task<int> BackUpOnceAsync(
        IServiceProvider services, PeregrineOptions settings, DisasterRecoveryOptions options, string platform, int concurrency, TimeSpan pause, bool forget, CancellationToken token)
    {
        await services.GetRequiredService<PlatformSchema>().MigrateAsync(token);
        var area = new StagingArea(options.Staging(settings));
        area.Create();
        using var held = area.TryLock();
        if (held is null)
        {
            return OperatorCommands.Fail(OperatorCommands.Failed, "backup-all: another backup-all is running (the staging area is locked)");
        }

        var roots = ShardDataRoots.From(services.GetRequiredService<IConfiguration>(), settings);
        var summary = await RunAsync(settings, roots, options, platform, services.GetRequiredService<TimeProvider>(), Console.Out, Math.Clamp(concurrency, 1, 16), pause, token);
        if (forget)
        {
            await new ResticRepository(options).ForgetAsync(token);
            await Console.Out.WriteLineAsync($"backup-all: retention applied (daily {options.KeepDaily}, weekly {options.KeepWeekly}, monthly {options.KeepMonthly}) and the repository pruned");
        }

        await ReportAsync(summary);
        return summary.Failed.Count == 0 ? OperatorCommands.Succeeded : OperatorCommands.Failed;
    }

    private static async Task ReportAsync(InstanceBackupSummary summary)
    {
        foreach (var failed in summary.Failed)
        {
            await Console.Out.WriteLineAsync($"failed: {failed.UserId}/{failed.App}: {failed.Reason}");
        }

        await Console.Out.WriteLineAsync(FormattableString.Invariant(
            $"backup-all: snapshot {summary.SnapshotId}: {summary.Users} users, {summary.Trees} trees ({summary.Copied} copied, {summary.Unchanged} unchanged, {summary.Failed.Count} failed); {summary.ErasuresShipped} erasure(s) shipped; longest writer pause {summary.LongestPause.TotalMilliseconds:F1} ms; {summary.StagedBytes / 1e6:F1} MB in the snapshot, {summary.DataAdded / 1e6:F1} MB added to the repository in {summary.Elapsed.TotalSeconds:F1} s"));
    }
}
