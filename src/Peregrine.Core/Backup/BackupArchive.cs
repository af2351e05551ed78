using System.IO.Compression;
using System.Text.Json;

namespace Peregrine.Backup;

/// <summary>Why an upload was refused; the message is safe to show the user (it never carries server paths).</summary>
public sealed class InvalidBackupException(string message) : Exception(message);

/// <summary>Reading an uploaded backup zip: the listing (upstream's <c>list_backup_contents</c>) and the entry-name rules.</summary>
public static class BackupArchive
{
    /// <summary>Opens an upload as a zip whose entry names are unique (a second entry of a name would silently win).</summary>
    public static ZipArchive Open(Stream upload)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(upload, ZipArchiveMode.Read, leaveOpen: true);
            _ = zip.Entries.Count;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException)
        {
            // A file shorter than a zip's end record makes the reader seek before the start (IOException), not InvalidData.
            throw new InvalidBackupException("The upload is not a zip archive.");
        }

        var duplicate = zip.Entries.GroupBy(e => e.FullName, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            zip.Dispose();
            throw new InvalidBackupException($"The archive has more than one entry named '{Printable(duplicate.Key)}'.");
        }

        return zip;
    }

    /// <summary>Lists an archive without extracting anything.</summary>
    public static BackupListing List(ZipArchive zip)
    {
        var sizes = zip.Entries.Where(e => !IsDirectory(e)).ToDictionary(e => e.FullName, e => e.Length, StringComparer.Ordinal);
        var files = sizes.Keys.Where(n => n != BackupLayout.ManifestName).ToList();
        return new BackupListing(ReadManifest(zip), files, sizes, files.Sum(f => sizes[f]));
    }

    /// <summary>The manifest as JSON, or an empty object when absent or unreadable (upstream returns <c>{}</c>).</summary>
    public static JsonElement ReadManifest(ZipArchive zip)
    {
        var entry = zip.GetEntry(BackupLayout.ManifestName);
        if (entry is not null && entry.Length < 1024 * 1024)
        {
            try
            {
                using var stream = entry.Open();
                using var document = JsonDocument.Parse(stream);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return document.RootElement.Clone();
                }
            }
            catch (JsonException)
            {
            }
            catch (InvalidDataException)
            {
            }
        }

        return JsonDocument.Parse("{}").RootElement.Clone();
    }

    /// <summary>
    /// Refuses names that could land outside the user's tree (zip-slip): absolute paths, drive letters, backslashes,
    /// <c>.</c>/<c>..</c> segments, empty segments and control characters, and entries that are symbolic links.
    /// </summary>
    public static void EnsureSafe(ZipArchiveEntry entry)
    {
        var name = entry.FullName;
        var unsafeName = name.Length == 0 || name.Length > 255
            || name.StartsWith('/') || name.Contains('\\', StringComparison.Ordinal) || name.Contains(':', StringComparison.Ordinal)
            || name.Any(char.IsControl)
            || name.TrimEnd('/').Split('/').Any(segment => segment is "" or "." or "..");
        if (unsafeName)
        {
            throw new InvalidBackupException($"The archive has an unsafe entry name: '{Printable(name)}'.");
        }

        const int UnixFileTypeMask = 0xF000, UnixSymlink = 0xA000;
        if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymlink)
        {
            throw new InvalidBackupException($"The archive entry '{Printable(name)}' is a link.");
        }
    }

    public static bool IsDirectory(ZipArchiveEntry entry) => entry.FullName.EndsWith('/');

    private static string Printable(string name) =>
        new(name.Take(80).Select(c => char.IsControl(c) ? '?' : c).ToArray());
}

/// <summary>Upstream's listing shape.</summary>
public sealed record BackupListing(JsonElement Manifest, IReadOnlyList<string> Files, IReadOnlyDictionary<string, long> Sizes, long TotalBytes);
