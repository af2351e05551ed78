using System.IO.Compression;

namespace Peregrine.Resume;

/// <summary>
/// A DOCX or ODT is a zip, and a zip can be a bomb: a few KB that inflate to gigabytes, thousands of entries, or sizes
/// in its directory that lie. Before any document library sees it, every entry is inflated once through a counter, and
/// the archive is refused (<see cref="ResumeFailure.UnsafePackage"/>) past the limits in <see cref="ResumeLimits"/>.
/// </summary>
public static class ZipGuard
{
    /// <summary>Entries smaller than this are never judged by ratio: a page of blank XML compresses 1000:1 and is harmless.</summary>
    private const long RatioFloorBytes = 1024 * 1024;

    public static void Check(ZipArchive zip)
    {
        if (zip.Entries.Count > ResumeLimits.MaxZipEntries)
        {
            throw new ResumeUnreadableException(ResumeFailure.UnsafePackage);
        }

        long total = 0;
        var buffer = new byte[64 * 1024];
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.StartsWith('/') || entry.FullName.Contains("..", StringComparison.Ordinal) || entry.FullName.Contains('\\', StringComparison.Ordinal))
            {
                throw new ResumeUnreadableException(ResumeFailure.UnsafePackage);
            }

            long inflated = 0;
            using var stream = entry.Open();
            int read;
            while ((read = stream.Read(buffer)) > 0)
            {
                inflated += read;
                total += read;
                if (total > ResumeLimits.MaxUncompressedBytes
                    || (inflated > RatioFloorBytes && inflated > Math.Max(1, entry.CompressedLength) * ResumeLimits.MaxCompressionRatio))
                {
                    throw new ResumeUnreadableException(ResumeFailure.UnsafePackage);
                }
            }
        }
    }

    /// <summary>At most <paramref name="maxChars"/> characters of an entry, whatever its directory claims.</summary>
    public static string ReadSmallText(ZipArchiveEntry entry, int maxChars)
    {
        using var reader = new StreamReader(entry.Open());
        var buffer = new char[maxChars];
        var read = reader.ReadBlock(buffer, 0, maxChars);
        return new string(buffer, 0, read);
    }
}
