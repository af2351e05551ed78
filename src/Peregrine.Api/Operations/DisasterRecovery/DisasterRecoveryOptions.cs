using Microsoft.Extensions.Configuration;
using Peregrine.Configuration;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>
/// The disaster-recovery settings, from <c>.env</c> like the runbook's. The repository and its password keep restic's
/// own names, so an operator's restic commands and ours read the same variables.
/// </summary>
public sealed class DisasterRecoveryOptions
{
    /// <summary>A local path or a restic URL (<c>sftp:…</c>, <c>s3:…</c>, <c>rest:…</c>).</summary>
    [ConfigurationKeyName("RESTIC_REPOSITORY")]
    public string? Repository { get; set; }

    [ConfigurationKeyName("RESTIC_PASSWORD")]
    public string? Password { get; set; }

    [ConfigurationKeyName("RESTIC_PASSWORD_FILE")]
    public string? PasswordFile { get; set; }

    /// <summary>Where <c>backup-all</c> assembles the snapshot (default <c>&lt;CLOUD_DATA_ROOT&gt;/.instance-backup</c>).</summary>
    [ConfigurationKeyName("BACKUP_STAGING_DIR")]
    public string? StagingDirectory { get; set; }

    /// <summary>User trees copied at once.</summary>
    [ConfigurationKeyName("BACKUP_CONCURRENCY")]
    public int Concurrency { get; set; } = 2;

    /// <summary>The host name every snapshot is filed under, stable across container restarts (restic finds the parent by it).</summary>
    [ConfigurationKeyName("BACKUP_HOST")]
    public string Host { get; set; } = "peregrine-cloud";

    [ConfigurationKeyName("BACKUP_KEEP_DAILY")]
    public int KeepDaily { get; set; } = 7;

    [ConfigurationKeyName("BACKUP_KEEP_WEEKLY")]
    public int KeepWeekly { get; set; } = 4;

    [ConfigurationKeyName("BACKUP_KEEP_MONTHLY")]
    public int KeepMonthly { get; set; } = 6;

    /// <summary>How often the scheduled service runs <c>backup-all</c>.</summary>
    [ConfigurationKeyName("BACKUP_INTERVAL_MINUTES")]
    public int IntervalMinutes { get; set; } = 24 * 60;

    /// <summary>How often the scheduled service ships new erasures to the repository between snapshots.</summary>
    [ConfigurationKeyName("BACKUP_ERASURE_SHIP_SECONDS")]
    public int ErasureShipSeconds { get; set; } = 60;

    public static DisasterRecoveryOptions From(IConfiguration configuration) =>
        configuration.Get<DisasterRecoveryOptions>() ?? new DisasterRecoveryOptions();

    public string Staging(PeregrineOptions settings) => Path.GetFullPath(string.IsNullOrWhiteSpace(StagingDirectory)
        ? Path.Combine(settings.DataRoot, ".instance-backup")
        : StagingDirectory);

    /// <summary>Null when the repository and a password are set; otherwise the one line that says what is missing.</summary>
    public string? Missing() =>
        string.IsNullOrWhiteSpace(Repository) ? "RESTIC_REPOSITORY is not set (a path or a restic URL)"
        : string.IsNullOrWhiteSpace(Password) && string.IsNullOrWhiteSpace(PasswordFile) ? "RESTIC_PASSWORD (or RESTIC_PASSWORD_FILE) is not set"
        : null;
}
