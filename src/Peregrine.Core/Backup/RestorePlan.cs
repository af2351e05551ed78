using System.IO.Compression;
using Peregrine.Sessions;

namespace Peregrine.Backup;

/// <summary>What a restore will write and what it skips, decided from entry names and headers before anything is written.</summary>
internal sealed class RestorePlan
{
    private RestorePlan(List<PlannedFile> restore, List<string> skipped)
    {
        Restore = restore;
        Skipped = skipped;
    }

    public IReadOnlyList<PlannedFile> Restore { get; }

    public IReadOnlyList<string> Skipped { get; }

    public static RestorePlan Create(ZipArchive zip, UserContext user, bool includeDb, bool overwrite, BackupOptions limits)
    {
        var restore = new List<PlannedFile>();
        var skipped = new List<string>();
        long declared = 0;
        foreach (var entry in zip.Entries)
        {
            BackupArchive.EnsureSafe(entry);
            if (BackupArchive.IsDirectory(entry) || entry.FullName == BackupLayout.ManifestName)
            {
                continue;
            }

            declared += entry.Length;
            if (declared > limits.MaxUncompressedBytes)
            {
                throw new InvalidBackupException($"The archive expands past the {limits.MaxUncompressedBytes / (1024 * 1024)} MB limit.");
            }

            var name = entry.FullName;
            var isDatabase = BackupLayout.IsDatabase(name);
            var destination = isDatabase ? user.Database.Path : Path.Combine(user.AppDirectory, name);
            var keep = (isDatabase || BackupLayout.IsConfig(name))
                && (includeDb || !isDatabase)
                && !(user.IsCloud && name == BackupLayout.PlatformOwnedConfig)
                && (overwrite || !File.Exists(destination));
            if (!keep)
            {
                skipped.Add(name);
                continue;
            }

            if (isDatabase && restore.Any(p => p.IsDatabase))
            {
                throw new InvalidBackupException("The archive holds more than one database.");
            }

            restore.Add(new PlannedFile(entry, name, isDatabase, StagedName: $"{restore.Count:D3}.part"));
        }

        return new RestorePlan(restore, skipped);
    }
}

internal sealed record PlannedFile(ZipArchiveEntry Entry, string EntryName, bool IsDatabase, string StagedName);
