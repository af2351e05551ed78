using System.Security.Cryptography;
using System.Text.Json;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>One file of a snapshot: its path inside the snapshot (always <c>/</c>-separated), size and SHA-256.</summary>
public sealed record SnapshotFile(string Path, long Bytes, string Sha256)
{
    public static SnapshotFile Of(string snapshotRoot, string file) =>
        new(System.IO.Path.GetRelativePath(snapshotRoot, file).Replace('\\', '/'), new FileInfo(file).Length, Checksum(file));

    public static string Checksum(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>Null when <paramref name="file"/> has this size and checksum; otherwise what differs.</summary>
    public string? Mismatch(string file) =>
        !File.Exists(file) ? "missing"
        : new FileInfo(file).Length != Bytes ? "size differs"
        : Checksum(file) != Sha256 ? "checksum differs"
        : null;
}

/// <summary>
/// One user's app tree in a snapshot. <see cref="CopiedAt"/> is when its copy began: an erasure of the user recorded
/// later than that means the copy may hold erased data, so a restore withholds it. <see cref="Shard"/> is the user's home
/// when the copy was taken (null on a single host): the shard whose data root the tree was copied from.
/// </summary>
public sealed record UserTreeEntry(
    string UserId,
    string App,
    DateTimeOffset CopiedAt,
    string? SchemaVersion,
    string? KeyId,
    SnapshotFile? Database,
    IReadOnlyDictionary<string, long>? Rows,
    IReadOnlyList<SnapshotFile> Files,
    string? Shard = null)
{
    public string Directory => $"users/{UserId}/{App}";
}

/// <summary>The platform DB's dump: <see cref="DumpedAt"/> is when <c>pg_dump</c> started (its snapshot).</summary>
public sealed record PlatformEntry(SnapshotFile Dump, DateTimeOffset DumpedAt, IReadOnlyList<string> SchemaVersions);

public sealed record FailedTree(string UserId, string App, string Reason);

/// <summary>
/// What a snapshot holds (<c>manifest.json</c> at its root): every user tree with its schema version, key id, sizes,
/// checksums and row counts; the platform dump; the Data Protection keys. Row counts are numbers per table, never
/// content. A tree that could not be copied this time is listed under <see cref="Failed"/>, and its previous copy (if
/// any) stays in the snapshot with its own, older <see cref="UserTreeEntry.CopiedAt"/>.
/// </summary>
public sealed record InstanceManifest(
    int Format,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> KeyIds,
    PlatformEntry Platform,
    IReadOnlyList<SnapshotFile> Keys,
    IReadOnlyList<UserTreeEntry> Users,
    IReadOnlyList<FailedTree> Failed)
{
    public const string FileName = "manifest.json";
    public const int CurrentFormat = 1;

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    public static InstanceManifest Read(string path) =>
        JsonSerializer.Deserialize<InstanceManifest>(File.ReadAllBytes(path), Json)
        ?? throw new InvalidDataException("the snapshot's manifest is empty");

    public long TotalBytes =>
        Platform.Dump.Bytes + Keys.Sum(k => k.Bytes) + Users.Sum(u => (u.Database?.Bytes ?? 0) + u.Files.Sum(f => f.Bytes));
}
