using System.Text.Json;
using System.Text.Json.Serialization;

namespace Peregrine.Storage;

/// <summary>
/// Which key id a user DB is encrypted with, kept beside it in <c>staging.db.key-id</c> (0600). A rekey writes it in
/// two phases: <c>{key_id: old, rekeying_to: new}</c> before <c>PRAGMA rekey</c>, <c>{key_id: new}</c> after, so a crash
/// anywhere leaves a record naming every key the file can be at. Written beside-then-renamed, with the fsyncs.
/// </summary>
public sealed record KeyRecord(
    [property: JsonPropertyName("key_id")] string KeyId,
    [property: JsonPropertyName("rekeying_to"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? RekeyingTo = null)
{
    public const string Suffix = ".key-id";

    /// <summary>The ids to try, in order: the recorded one, then the one an interrupted rekey was heading to.</summary>
    [JsonIgnore]
    public IEnumerable<string> Candidates => RekeyingTo is null ? [KeyId] : [KeyId, RekeyingTo];

    public static string PathFor(string databasePath) => databasePath + Suffix;

    /// <summary>The record beside <paramref name="databasePath"/>, or null when there is none (or it is unreadable).</summary>
    public static KeyRecord? Read(string databasePath)
    {
        try
        {
            var record = JsonSerializer.Deserialize<KeyRecord>(File.ReadAllBytes(PathFor(databasePath)));
            return string.IsNullOrEmpty(record?.KeyId) ? null : record;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    private static readonly TimeSpan StaleAfter = TimeSpan.FromHours(1);

    private static void RemoveStaleTemps(string databasePath)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(databasePath))!;
        var pattern = Path.GetFileName(PathFor(databasePath)) + ".tmp-*";
        foreach (var stale in Directory.GetFiles(directory, pattern).Where(file => DateTime.UtcNow - File.GetLastWriteTimeUtc(file) > StaleAfter))
        {
            File.Delete(stale);
        }
    }

    public static void Write(string databasePath, KeyRecord record)
    {
        // Its own temp pattern, not the DB's: the service sweeps the DB's temps at preparation, and a rekey-all in
        // another process may be writing this one at that moment. A temp a crash left behind is swept here instead.
        RemoveStaleTemps(databasePath);
        var temp = LegacyConversion.NewTempPath(PathFor(databasePath));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using (var stream = new FileStream(temp, options))
            {
                JsonSerializer.Serialize(stream, record);
                stream.Flush(flushToDisk: true);
            }

            DurableFile.ReplaceWith(temp, PathFor(databasePath));
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }
}
