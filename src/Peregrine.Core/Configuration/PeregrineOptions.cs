using System.Globalization;
using Microsoft.Extensions.Configuration;
using Peregrine.Storage;

namespace Peregrine.Configuration;

/// <summary>
/// The runbook's environment variables, parsed once into typed options. Bound from the configuration root
/// because the variable names are the contract (they are what operators put in .env).
/// </summary>
public sealed class PeregrineOptions
{
    public const string DefaultApp = "peregrine";

    [ConfigurationKeyName("CLOUD_MODE")]
    public string? CloudModeFlag { get; set; }

    [ConfigurationKeyName("DEMO_MODE")]
    public string? DemoModeFlag { get; set; }

    [ConfigurationKeyName("CLOUD_DATA_ROOT")]
    public string? CloudDataRoot { get; set; }

    [ConfigurationKeyName("DIRECTUS_JWT_SECRET")]
    public string? DirectusJwtSecret { get; set; }

    [ConfigurationKeyName("CF_SERVER_SECRET")]
    public string? ServerSecret { get; set; }

    /// <summary>
    /// Earlier server secrets, comma-separated, kept only while a rotation runs: a DB still at one of them is rekeyed to
    /// <c>CF_SERVER_SECRET</c> when opened (or by <c>rekey-all</c>). Remove them once <c>rekey-all</c> reports 0 remaining.
    /// </summary>
    [ConfigurationKeyName("CF_SERVER_SECRET_PREVIOUS")]
    public string? PreviousServerSecrets { get; set; }

    /// <summary>The previous Directus signing secret, accepted (only) until <see cref="PreviousJwtSecretValidUntil"/>.</summary>
    [ConfigurationKeyName("DIRECTUS_JWT_SECRET_PREVIOUS")]
    public string? PreviousDirectusJwtSecret { get; set; }

    /// <summary>The end of the JWT overlap window: an absolute UTC time (ISO 8601, e.g. <c>2026-12-03T12:00:00Z</c>).</summary>
    [ConfigurationKeyName("DIRECTUS_JWT_SECRET_PREVIOUS_UNTIL")]
    public string? PreviousJwtSecretValidUntil { get; set; }

    [ConfigurationKeyName("PLATFORM_DB_URL")]
    public string? PlatformDbUrl { get; set; }

    [ConfigurationKeyName("STAGING_DB")]
    public string? StagingDb { get; set; }

    [ConfigurationKeyName("PEREGRINE_APP")]
    public string? AppSlug { get; set; }

    /// <summary>The Data Protection key ring's folder when not the default (see <see cref="KeyRingDirectory"/>).</summary>
    [ConfigurationKeyName("DATA_PROTECTION_KEYS_DIR")]
    public string? DataProtectionKeysDir { get; set; }

    /// <summary>Upstream's rule: <c>1</c>, <c>true</c> or <c>yes</c>, any case.</summary>
    public bool CloudMode => IsOn(CloudModeFlag);

    public bool DemoMode => IsOn(DemoModeFlag);

    /// <summary>The app slug: the path base (<c>/peregrine</c>) and the per-user data sub-folder.</summary>
    public string App => string.IsNullOrWhiteSpace(AppSlug) ? DefaultApp : AppSlug.Trim();

    public string PathBase => "/" + App;

    /// <summary>Local mode's single DB: <c>STAGING_DB</c>, else <c>./data/staging.db</c> under the working directory.</summary>
    public string LocalDatabasePath => Path.GetFullPath(string.IsNullOrWhiteSpace(StagingDb)
        ? Path.Combine("data", "staging.db")
        : StagingDb);

    /// <summary>Where data lives: the per-user root in cloud mode, the local DB's folder otherwise.</summary>
    public string DataRoot => CloudMode ? Path.GetFullPath(CloudDataRoot!) : Path.GetDirectoryName(LocalDatabasePath)!;

    /// <summary>
    /// Cloud mode's Data Protection key ring: <c>DATA_PROTECTION_KEYS_DIR</c>, else <c>&lt;data root&gt;/.data-protection</c>,
    /// which every replica of every app mounts. The apps share it (each has its own discriminator), and the disaster-recovery
    /// verbs snapshot and restore this same folder. A method, so configuration binding never evaluates it.
    /// </summary>
    public string KeyRingDirectory() => Path.GetFullPath(string.IsNullOrWhiteSpace(DataProtectionKeysDir)
        ? Path.Combine(DataRoot, ".data-protection")
        : DataProtectionKeysDir);

    /// <summary>
    /// These settings with another data root: the disaster-recovery verbs of a sharded deployment reach every shard's root
    /// from one process, with the same secrets and app.
    /// </summary>
    public PeregrineOptions WithDataRoot(string dataRoot)
    {
        var copy = (PeregrineOptions)MemberwiseClone();
        copy.CloudDataRoot = dataRoot;
        return copy;
    }

    /// <summary>The server secrets as a key ring (a method, so configuration binding never evaluates it).</summary>
    public ServerKeyRing ServerKeys() => _serverKeys ??= new ServerKeyRing(ServerSecret!, SplitSecrets(PreviousServerSecrets));

    /// <summary>The overlap window's end, or null when no previous JWT secret is configured (or the time does not parse).</summary>
    public DateTimeOffset? PreviousJwtSecretExpiry() =>
        string.IsNullOrWhiteSpace(PreviousDirectusJwtSecret) ? null
        : DateTimeOffset.TryParse(PreviousJwtSecretValidUntil, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var until) ? until
        : null;

    internal static string[] SplitSecrets(string? list) =>
        (list ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private ServerKeyRing? _serverKeys;

    public static bool IsOn(string? flag) =>
        flag?.Trim().ToLowerInvariant() is "1" or "true" or "yes";
}
