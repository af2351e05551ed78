using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peregrine.Backup;

/// <summary>
/// <c>backup-manifest.json</c> in upstream's format (so zips round-trip with upstream's CLI), plus the schema version
/// and a SHA-256 per file. In cloud mode <c>source_path</c> is redacted: upstream leaked the server path there.
/// </summary>
public sealed record BackupManifest(
    [property: JsonPropertyName("created_at")] string CreatedAt,
    [property: JsonPropertyName("source")] string Source,
    [property: JsonPropertyName("source_path")] string SourcePath,
    [property: JsonPropertyName("peregrine_version")] string PeregrineVersion,
    [property: JsonPropertyName("files")] IReadOnlyList<string> Files,
    [property: JsonPropertyName("includes_db")] bool IncludesDb,
    [property: JsonPropertyName("schema_version")] string? SchemaVersion,
    [property: JsonPropertyName("sha256")] IReadOnlyDictionary<string, string> Sha256)
{
    public const string FormatVersion = "1.0";
    public const string RedactedPath = "(redacted)";

    /// <summary>Upstream writes the manifest indented by 2.</summary>
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true, IndentSize = 2 };
}
