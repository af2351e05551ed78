using System.IO.Compression;
using Microsoft.Extensions.Options;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Backup;

/// <summary>
/// Restore: validate the whole upload, stage every file in a temp folder inside the user's tree, prepare the DB there
/// (checked, migrated, re-encrypted with the user's raw key), and only then move files into place. Any failure before
/// the moves deletes the staging folder and leaves the tree exactly as it was.
/// </summary>
public sealed class BackupRestorer(UserDatabases databases, RestoredDatabasePreparer preparer, IOptions<BackupOptions> options)
{
    /// <summary>What <see cref="RestoreAsync"/> would do with this upload, decided by the same plan, writing nothing.</summary>
    public RestorePreview Preview(UserContext user, Stream upload, bool includeDb, bool overwrite)
    {
        var limits = options.Value;
        if (upload.Length > limits.MaxUploadBytes)
        {
            throw new InvalidBackupException($"The upload is larger than the {limits.MaxUploadBytes / (1024 * 1024)} MB limit.");
        }

        using var zip = BackupArchive.Open(upload);
        var plan = RestorePlan.Create(zip, user, includeDb, overwrite, limits);
        return new RestorePreview(BackupArchive.List(zip), [.. plan.Restore.Select(p => p.EntryName)], plan.Skipped);
    }

    public async Task<RestoreResult> RestoreAsync(UserContext user, Stream upload, bool includeDb, bool overwrite, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        if (upload.Length > limits.MaxUploadBytes)
        {
            throw new InvalidBackupException($"The upload is larger than the {limits.MaxUploadBytes / (1024 * 1024)} MB limit.");
        }

        using var zip = BackupArchive.Open(upload);
        var plan = RestorePlan.Create(zip, user, includeDb, overwrite, limits);

        // One staging folder beside the DB: renames out of it are atomic, and a crash leaves only what the next open removes.
        var staging = LegacyConversion.NewTempPath(user.Database.Path);
        Directory.CreateDirectory(staging);
        try
        {
            var extracted = new UncompressedBudget(limits.MaxUncompressedBytes);
            foreach (var item in plan.Restore)
            {
                await ExtractAsync(item.Entry, Path.Combine(staging, item.StagedName), extracted, limits.MaxCompressionRatio, cancellationToken);
            }

            var stagedDatabase = plan.Restore.FirstOrDefault(i => i.IsDatabase);
            if (stagedDatabase is not null)
            {
                preparer.Prepare(Path.Combine(staging, stagedDatabase.StagedName), user.Database.Key);
            }

            FaultInjection.Reach(FaultInjection.RestoreBeforeSwap);
            await MoveIntoPlaceAsync(user, staging, plan, cancellationToken);
        }
        finally
        {
            Directory.Delete(staging, recursive: true);
        }

        return new RestoreResult(plan.Restore.Select(i => i.EntryName).ToList(), plan.Skipped);
    }

    /// <summary>
    /// Renames on one filesystem: each file is replaced atomically. The DB only while no connection has it open and
    /// none can open it, so no request writes into the old file after the swap, and its WAL never meets the new one.
    /// </summary>
    private async Task MoveIntoPlaceAsync(UserContext user, string staging, RestorePlan plan, CancellationToken cancellationToken)
    {
        // Taken before the first move: when the wait for open connections times out, nothing has been replaced yet.
        using var hold = plan.Restore.Any(i => i.IsDatabase)
            ? await databases.HoldForReplacementAsync(user.Database, options.Value.ReplacementWait, cancellationToken)
            : null;
        var renamedInto = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in plan.Restore)
        {
            var source = Path.Combine(staging, item.StagedName);
            var destination = item.IsDatabase ? user.Database.Path : Path.Combine(user.AppDirectory, item.EntryName);
            renamedInto.Add(Path.GetDirectoryName(destination)!);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Move(source, destination, overwrite: true);
        }

        foreach (var directory in renamedInto)
        {
            DurableFile.FlushDirectory(directory);
        }
    }

    private static async Task ExtractAsync(ZipArchiveEntry entry, string destination, UncompressedBudget budget, int maxRatio, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        long written = 0;
        await using var source = await entry.OpenAsync(cancellationToken);
        await using var target = new FileStream(destination, FileMode.CreateNew, FileAccess.Write, FileShare.None, buffer.Length, useAsync: true);
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            written += read;
            // Headers can lie: the budget and the ratio are enforced on the bytes actually inflated.
            budget.Spend(read);
            if (written > entry.Length || (written > 1024 * 1024 && written > (long)maxRatio * Math.Max(entry.CompressedLength, 1)))
            {
                throw new InvalidBackupException("The archive expands far beyond its size (a zip bomb?).");
            }

            await target.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }

        target.Flush(flushToDisk: true);
    }

    private sealed class UncompressedBudget(long limit)
    {
        private long _spent;

        public void Spend(long bytes)
        {
            _spent += bytes;
            if (_spent > limit)
            {
                throw new InvalidBackupException($"The archive expands past the {limit / (1024 * 1024)} MB limit.");
            }
        }
    }
}

public sealed record RestorePreview(BackupListing Listing, IReadOnlyList<string> WillRestore, IReadOnlyList<string> Skipped);

public sealed record RestoreResult(IReadOnlyList<string> Restored, IReadOnlyList<string> Skipped);
