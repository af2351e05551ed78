using System.Text.Json;
using Dapper;
using Npgsql;
using Peregrine.Api.Erasure;
using Peregrine.Configuration;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>What a restore did.</summary>
public sealed record InstanceRestoreSummary(
    string SnapshotId, DateTimeOffset SnapshotTime, int TreesRestored, int TreesWithheld, int PlatformRowsErased, int ErasuresLogged, int KeysRestored);

/// <summary>A restore that must not go on (a host that is not empty, a snapshot that does not check out, a missing secret).</summary>
public sealed class RestoreRefusedException(string message) : Exception(message);

/// <summary>
/// Rebuilds an empty host from an instance snapshot: the platform DB from its dump, every user tree with the service's
/// modes (and an owner, when given), the Data Protection keys; then every erasure the repository's log recorded after
/// the snapshot's copy is re-applied, so an erased user stays erased. Each step is checked before the next, and a run
/// can be repeated: a marker in the data root names the snapshot being restored, the dump is loaded in one
/// transaction, and a tree already in place is left as it is. With shards, each tree goes to the data root of its user's
/// home in the restored <c>user_shard</c>; the snapshot is unpacked in <c>CLOUD_DATA_ROOT</c>.
/// </summary>
public sealed class InstanceRestore(PeregrineOptions settings, ShardDataRoots roots, DisasterRecoveryOptions options, string platformConnectionString, TextWriter progress)
{
    private sealed record RestoreMarker(string SnapshotId, bool PlatformLoaded);

    private string Root => settings.DataRoot;

    private string MarkerPath => Path.Combine(Root, ".restore-all.json");

    public async Task<InstanceRestoreSummary> RunAsync(string snapshotReference, (int Uid, int Gid)? owner, Func<CancellationToken, Task> migratePlatform, CancellationToken cancellationToken)
    {
        var restic = new ResticRepository(options);
        var snapshot = await restic.FindInstanceSnapshotAsync(snapshotReference, cancellationToken);
        Directory.CreateDirectory(Root);
        var marker = ReadMarker();
        if (marker is not null && marker.SnapshotId != snapshot.Id)
        {
            throw new RestoreRefusedException($"an unfinished restore of snapshot {marker.SnapshotId[..8]} is in progress; finish it with --snapshot {marker.SnapshotId[..8]}");
        }

        if (marker is null)
        {
            await RefuseUnlessEmptyAsync(cancellationToken);
        }

        marker ??= new RestoreMarker(snapshot.Id, PlatformLoaded: false);
        WriteMarker(marker);

        var temp = Path.Combine(Root, ".restoring-" + snapshot.ShortId);
        await progress.WriteLineAsync($"restore-all: restoring snapshot {snapshot.ShortId} of {snapshot.Time.UtcDateTime:yyyy-MM-dd HH:mm} UTC");
        await restic.RestoreAsync(snapshot.Id, temp, [], cancellationToken);
        var manifest = InstanceManifest.Read(Path.Combine(temp, InstanceManifest.FileName));
        Check(manifest, temp, owner);
        var erasures = await new ErasureLog(restic, platformConnectionString).ReadAllAsync(cancellationToken);

        if (!marker.PlatformLoaded)
        {
            await new PlatformDump(platformConnectionString).LoadAsync(Path.Combine(temp, manifest.Platform.Dump.Path), cancellationToken);
            marker = marker with { PlatformLoaded = true };
            WriteMarker(marker);
            await progress.WriteLineAsync("restore-all: platform DB loaded");
        }

        await migratePlatform(cancellationToken);
        var (rowsErased, logged) = await ReapplyToPlatformAsync(erasures.Values, cancellationToken);

        // Every tree's root is known before the first is placed: a shard without one stops the restore here, resumable.
        var destinations = await DestinationsAsync(manifest, cancellationToken);
        var (restored, withheld) = (0, 0);
        foreach (var (tree, index) in manifest.Users.Select((tree, index) => (tree, index + 1)))
        {
            var erased = erasures.TryGetValue(Guid.Parse(tree.UserId), out var erasure) && erasure.ErasedAt > tree.CopiedAt;
            var root = destinations[tree];
            var placed = !erased && Place(tree, temp, root, owner);
            withheld += erased ? 1 : 0;
            restored += placed || (!erased && Directory.Exists(Path.Combine(root, tree.UserId, tree.App))) ? 1 : 0;
            await progress.WriteLineAsync($"[{index}/{manifest.Users.Count}] {tree.UserId}/{tree.App}: {(erased ? "withheld (erased after the snapshot)" : placed ? "restored" : "already in place")}");
        }

        var keys = RestoreKeys(manifest, temp, owner);
        foreach (var root in roots.Roots.Select(r => Path.Combine(r.Path, Path.GetFileName(temp))).Append(temp).Where(Directory.Exists))
        {
            Directory.Delete(root, recursive: true);
        }

        File.Delete(MarkerPath);
        return new InstanceRestoreSummary(snapshot.ShortId, snapshot.Time, restored, withheld, rowsErased, logged, keys);
    }

    /// <summary>Checksums, and the keys the snapshot's DBs need: a restore that could not open what it places does not start.</summary>
    private void Check(InstanceManifest manifest, string temp, (int Uid, int Gid)? owner)
    {
        var ring = settings.ServerKeys();
        var unknown = manifest.KeyIds.Where(id => id != ring.CurrentId && !ring.PreviousIds.Contains(id)).ToList();
        if (unknown.Count > 0)
        {
            throw new RestoreRefusedException($"the snapshot's DBs are at key id(s) {string.Join(", ", unknown)}, which neither CF_SERVER_SECRET nor CF_SERVER_SECRET_PREVIOUS has; add the secret(s) in use when it was taken to CF_SERVER_SECRET_PREVIOUS");
        }

        var files = manifest.Users.SelectMany(u => u.Database is null ? u.Files : u.Files.Append(u.Database)).Append(manifest.Platform.Dump).Concat(manifest.Keys);
        var bad = files.Select(f => (f.Path, Problem: f.Mismatch(Path.Combine(temp, f.Path))))
            .Where(f => f.Problem is not null && !AlreadyPlaced(f.Path)).ToList();
        if (bad.Count > 0)
        {
            throw new RestoreRefusedException($"{bad.Count} file(s) of the snapshot do not match its manifest (first: {bad[0].Path}: {bad[0].Problem}); nothing was placed. Run verify-backup");
        }

        if (owner is not null)
        {
            foreach (var root in roots.Roots)
            {
                Directory.CreateDirectory(root.Path);
                TreeOwnership.Apply(root.Path, owner);
            }

            TreeOwnership.Apply(Root, owner);
        }
    }

    /// <summary>Each tree's data root, by its user's home in the platform DB just restored.</summary>
    private async Task<Dictionary<UserTreeEntry, string>> DestinationsAsync(InstanceManifest manifest, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(platformConnectionString);
        await connection.OpenAsync(cancellationToken);
        var homes = await ShardDataRoots.HomesAsync(connection, cancellationToken);
        return manifest.Users.ToDictionary(tree => tree, tree => roots.RootFor(tree, homes).Path);
    }

    /// <summary>A tree moved into place by an earlier, interrupted run is no longer in the temp folder.</summary>
    private bool AlreadyPlaced(string snapshotPath) =>
        snapshotPath.Split('/') is ["users", var user, var app, ..] && roots.Roots.Any(root => Directory.Exists(Path.Combine(root.Path, user, app)));

    private bool Place(UserTreeEntry tree, string temp, string root, (int Uid, int Gid)? owner)
    {
        var destination = Path.Combine(root, tree.UserId, tree.App);
        var source = Path.Combine(temp, "users", tree.UserId, tree.App);
        if (Directory.Exists(destination) || !Directory.Exists(source))
        {
            return false;
        }

        if (Path.GetFullPath(root) != Path.GetFullPath(Root))
        {
            // Another shard's root may be another disk: copied beside its place first, so that the rename into place
            // is still one step that an interrupted run either did or did not do.
            source = CopyBeside(source, Path.Combine(root, Path.GetFileName(temp), tree.UserId, tree.App));
        }

        var userDirectory = Path.Combine(root, tree.UserId);
        Directory.CreateDirectory(userDirectory);
        TreeOwnership.Apply(source, owner);
        Directory.Move(source, destination);
        TreeOwnership.Apply(userDirectory, owner);
        return true;
    }

    private static string CopyBeside(string source, string copy)
    {
        if (Directory.Exists(copy))
        {
            Directory.Delete(copy, recursive: true);
        }

        Directory.CreateDirectory(copy);
        foreach (var (relative, _) in UserTrees.Files(source))
        {
            var target = Path.Combine(copy, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(source, relative), target);
        }

        return copy;
    }

    /// <summary>Into the folder the services read their key ring from (<see cref="PeregrineOptions.KeyRingDirectory"/>).</summary>
    private int RestoreKeys(InstanceManifest manifest, string temp, (int Uid, int Gid)? owner)
    {
        if (manifest.Keys.Count == 0)
        {
            return 0;
        }

        var keyRing = settings.KeyRingDirectory();
        Directory.CreateDirectory(keyRing);
        var count = 0;
        foreach (var key in manifest.Keys)
        {
            var destination = Path.Combine(keyRing, Path.GetFileName(key.Path));
            if (!File.Exists(destination))
            {
                File.Copy(Path.Combine(temp, key.Path), destination);
                count++;
            }
        }

        TreeOwnership.Apply(keyRing, owner);
        return count;
    }

    /// <summary>
    /// An erasure the dump does not know of (no row in its <c>account_erasures</c>, or an earlier one) happened after the
    /// dump: the user's rows go again and the erasure is recorded. The dump's own row is the exact test, because an
    /// erasure deletes the rows and records itself in one transaction.
    /// </summary>
    private async Task<(int RowsErased, int Logged)> ReapplyToPlatformAsync(IEnumerable<LoggedErasure> erasures, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(platformConnectionString);
        await connection.OpenAsync(cancellationToken);
        var (users, logged) = (0, 0);
        foreach (var erasure in erasures)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var known = await connection.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(
                "SELECT erased_at FROM account_erasures WHERE user_id = @UserId FOR UPDATE", new { erasure.UserId }, transaction, cancellationToken: cancellationToken));
            if (known is { } at && new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) >= erasure.ErasedAt)
            {
                await transaction.RollbackAsync(cancellationToken);
                continue;
            }

            var rows = await UserErasure.DeleteRowsAsync(connection, transaction, erasure.UserId, cancellationToken);
            await AccountErasureLedger.RecordAsync(connection, transaction, erasure.UserId, erasure.ErasedAt, cancellationToken);
            await connection.ExecuteAsync(new CommandDefinition("UPDATE account_erasures SET logged_at = now() WHERE user_id = @UserId", new { erasure.UserId }, transaction, cancellationToken: cancellationToken));
            await transaction.CommitAsync(cancellationToken);
            logged++;
            users += rows.Subscriptions + rows.TelemetryConsent + rows.SupportAccessGrants + rows.UsageEvents > 0 ? 1 : 0;
        }

        return (users, logged);
    }

    private async Task RefuseUnlessEmptyAsync(CancellationToken cancellationToken)
    {
        if (roots.Roots.FirstOrDefault(root => UserTrees.UserIds(settings.WithDataRoot(root.Path)).Any()) is { } occupied)
        {
            var name = occupied.Shard is null ? "CLOUD_DATA_ROOT" : $"shard {occupied.Shard}'s data root";
            throw new RestoreRefusedException($"{name} already holds user trees; restore-all rebuilds an empty host and never overwrites one");
        }

        await using var connection = new NpgsqlConnection(platformConnectionString);
        await connection.OpenAsync(cancellationToken);
        const string hasTable = "SELECT to_regclass('public.subscriptions') IS NOT NULL";
        const string hasAccounts = "SELECT EXISTS (SELECT 1 FROM subscriptions)";
        if (await connection.ExecuteScalarAsync<bool>(new CommandDefinition(hasTable, cancellationToken: cancellationToken))
            && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(hasAccounts, cancellationToken: cancellationToken)))
        {
            throw new RestoreRefusedException("the platform DB already holds accounts; restore-all loads its dump only into an empty one");
        }
    }

    private RestoreMarker? ReadMarker()
    {
        try
        {
            return JsonSerializer.Deserialize<RestoreMarker>(File.ReadAllBytes(MarkerPath), InstanceManifest.Json);
        }
        catch (Exception e) when (e is FileNotFoundException or JsonException)
        {
            return null;
        }
    }

    private void WriteMarker(RestoreMarker marker) => StagingArea.WriteJson(MarkerPath, marker);
}
