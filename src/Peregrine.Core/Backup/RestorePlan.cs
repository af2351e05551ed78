using System.IO.Compression;
using System.Text;
using Peregrine.Sessions;
using Peregrine.Yaml;

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

            if (!isDatabase && BackupLayout.IsYaml(name))
            {
                CheckYaml(entry);
            }

            restore.Add(new PlannedFile(entry, name, isDatabase, StagedName: $"{restore.Count:D3}.part"));
        }

        return new RestorePlan(restore, skipped);
    }

    /// <summary>
    /// A config file is checked as every later read of it will be: a file that would be refused there (an alias bomb,
    /// 10,000 levels) refuses the restore now, rather than failing or endangering each page its owner opens.
    /// </summary>
    private static void CheckYaml(ZipArchiveEntry entry)
    {
        var buffer = new byte[GuardedYaml.MaxBytes + 1];
        int length;
        try
        {
            using var content = entry.Open();
            length = content.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException)
        {
            throw new InvalidBackupException($"The archive is damaged: '{entry.FullName}' cannot be decompressed.");
        }

        var problem = length > GuardedYaml.MaxBytes
            ? $"is larger than {GuardedYaml.MaxBytes / 1024} KB"
            : GuardedYaml.Problem(Encoding.UTF8.GetString(buffer, 0, length));
        if (problem is not null)
        {
            throw new InvalidBackupException($"{entry.FullName} {problem}. Nothing was restored.");
        }
    }
}

internal sealed record PlannedFile(ZipArchiveEntry Entry, string EntryName, bool IsDatabase, string StagedName);
