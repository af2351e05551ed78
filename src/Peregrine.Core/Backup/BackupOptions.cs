namespace Peregrine.Backup;

/// <summary>Limits for restore uploads (configuration section <c>Backup</c>). Defaults suit a job-search DB of ~100k jobs.</summary>
public sealed class BackupOptions
{
    public const string Section = "Backup";

    /// <summary>Largest accepted upload (the zip itself).</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>Largest total of the entries once uncompressed, enforced while extracting (headers can lie).</summary>
    public long MaxUncompressedBytes { get; set; } = 1024L * 1024 * 1024;

    /// <summary>An entry expanding more than this many times its compressed size is treated as a zip bomb.</summary>
    public int MaxCompressionRatio { get; set; } = 200;

    /// <summary>How long a restore waits for the user's open DB connections to finish before it gives up (409).</summary>
    public TimeSpan ReplacementWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A download whose client accepts no bytes for this long is aborted, and its plaintext snapshot deleted.</summary>
    public TimeSpan StalledDownloadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an upload is kept between the Data page's two posts (upload → preview, then confirm).</summary>
    public TimeSpan KeptUploadLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Kept uploads per user: keeping one more removes that user's oldest.</summary>
    public int MaxKeptUploadsPerUser { get; set; } = 2;

    /// <summary>Kept uploads of all users together in this process: keeping one more removes the oldest of all.</summary>
    public int MaxKeptUploads { get; set; } = 50;

    /// <summary>The longest a download may hold its snapshot at all (200 MB at a slow 1 Mbit/s takes ~27 minutes).</summary>
    public TimeSpan DownloadDeadline { get; set; } = TimeSpan.FromMinutes(30);
}
