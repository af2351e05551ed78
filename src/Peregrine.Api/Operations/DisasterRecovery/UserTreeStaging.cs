using System.Text.Json;
using Dapper;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>How one tree's staging went: copied (with the writers' pause), unchanged since the last run, or failed.</summary>
public sealed record StagedTree(UserTreeEntry? Entry, bool Copied, TimeSpan WriterPause, string? Failure);

/// <summary>
/// Brings one user's app tree in the staging area up to date with the live one: the DB through
/// <see cref="EncryptedSnapshot"/> (still encrypted), its key record normalised to the key id that opened it, and every
/// other file of the tree (<c>config/</c>, <c>data/</c>, the queued-work marker) copied. What the last run staged is
/// remembered in a state file per tree (outside the snapshot): a DB whose file, WAL and key record are unchanged is not
/// copied again, nor is a file whose size and time are unchanged (the service replaces files by rename, so a changed
/// file has a new time). That keeps a run's cost proportional to what changed, and makes a killed run resumable: a tree
/// is done once its state file is written, and a tree without one is simply staged again.
/// </summary>
public sealed class UserTreeStaging(StagingArea area, TimeProvider clock)
{
    private const string DatabaseName = "staging.db";

    /// <param name="shard">The user's home, recorded in the manifest (null on a single host).</param>
    public StagedTree Stage(UserContext user, string? shard)
    {
        // Taken before anything is read: an erasure recorded after this instant may be missing from the copy.
        var copiedAt = clock.GetUtcNow();
        var target = area.TreeDirectory(user.UserId, user.App);
        var statePath = area.TreeState(user.UserId, user.App);
        var previous = ReadState(statePath);
        try
        {
            Directory.CreateDirectory(target);
            var (database, keyId, schema, rows, pause, stamp, copied) = StageDatabase(user, target, previous);
            var (files, fileTimes) = StageFiles(user.AppDirectory, target, previous);
            var entry = new UserTreeEntry(user.UserId, user.App, copiedAt, schema, keyId, database, rows, files, shard);
            StagingArea.WriteJson(statePath, new TreeState(entry, stamp, fileTimes));
            return new StagedTree(entry, copied, pause, null);
        }
        catch (Exception e) when (e is UnknownKeyIdException or InvalidDataException or PlainDatabaseException)
        {
            return new StagedTree(previous?.Entry, false, TimeSpan.Zero, e.Message);
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or UnauthorizedAccessException)
        {
            return new StagedTree(previous?.Entry, false, TimeSpan.Zero, e is Microsoft.Data.Sqlite.SqliteException sqlite ? $"SQLite error {sqlite.SqliteErrorCode}" : e.GetType().Name);
        }
    }

    private static (SnapshotFile? File, string? KeyId, string? Schema, IReadOnlyDictionary<string, long>? Rows, TimeSpan Pause, DatabaseStamp? Stamp, bool Copied)
        StageDatabase(UserContext user, string target, TreeState? previous)
    {
        var staged = Path.Combine(target, DatabaseName);
        if (!File.Exists(user.Database.Path))
        {
            File.Delete(staged);
            File.Delete(KeyRecord.PathFor(staged));
            return (null, null, null, null, TimeSpan.Zero, null, false);
        }

        var old = previous?.Entry.Database;
        if (previous?.Stamp is { } stamp && old is not null && stamp == DatabaseStamp.Of(user.Database.Path)
            && File.Exists(staged) && new FileInfo(staged).Length == old.Bytes)
        {
            return (old, previous.Entry.KeyId, previous.Entry.SchemaVersion, previous.Entry.Rows, TimeSpan.Zero, stamp, false);
        }

        var copy = EncryptedSnapshot.Copy(user.Database, staged);
        KeyRecord.Write(staged, new KeyRecord(copy.KeyId));
        var stagedLocation = user.Database with { Path = staged };
        using var inspected = DatabaseInspection.OpenReadOnly(stagedLocation);
        var tables = inspected.Connection.Query<string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;").ToList();
        var rows = tables.ToDictionary(table => table, table => inspected.Connection.ExecuteScalar<long>($"SELECT count(*) FROM \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\";"), StringComparer.Ordinal);
        var schema = inspected.SchemaVersion();
        return (SnapshotFile.Of(StagingRoot(target), staged), copy.KeyId, schema, rows, copy.WriterPause, copy.Source, true);
    }

    /// <summary>Every other file of the tree; links are never followed, temps and SQLite's side files are left out.</summary>
    private static (IReadOnlyList<SnapshotFile> Files, Dictionary<string, long> Times) StageFiles(string live, string target, TreeState? previous)
    {
        var snapshotRoot = StagingRoot(target);
        var known = previous?.Entry.Files.ToDictionary(f => f.Path, StringComparer.Ordinal) ?? [];
        var files = new List<SnapshotFile>();
        var times = new Dictionary<string, long>(StringComparer.Ordinal);
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (relative, bytes) in UserTrees.Files(live).Where(f => IsTreeFile(f.RelativePath)))
        {
            var source = Path.Combine(live, relative);
            var destination = Path.Combine(target, relative);
            var written = File.GetLastWriteTimeUtc(source).Ticks;
            var path = Path.GetRelativePath(snapshotRoot, destination).Replace('\\', '/');
            wanted.Add(Path.GetFullPath(destination));
            if (known.TryGetValue(path, out var old) && old.Bytes == bytes && previous!.FileTimes.GetValueOrDefault(path) == written
                && File.Exists(destination) && new FileInfo(destination).Length == bytes)
            {
                files.Add(old);
                times[path] = written;
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            var temp = destination + ".staging";
            File.Copy(source, temp, overwrite: true);
            File.Move(temp, destination, overwrite: true);
            files.Add(SnapshotFile.Of(snapshotRoot, destination));
            times[path] = written;
        }

        // Files the user no longer has leave the staging area too.
        foreach (var stale in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories)
            .Where(f => IsTreeFile(Path.GetRelativePath(target, f)) && !wanted.Contains(Path.GetFullPath(f))))
        {
            File.Delete(stale);
        }

        return (files, times);
    }

    private static bool IsTreeFile(string relativePath)
    {
        var name = Path.GetFileName(relativePath);
        var top = relativePath == name;
        return !(top && name.StartsWith(DatabaseName, StringComparison.Ordinal))
            && !name.EndsWith(".tmp", StringComparison.Ordinal)
            && !name.Contains(".tmp-", StringComparison.Ordinal)
            && !name.EndsWith(".staging", StringComparison.Ordinal);
    }

    /// <summary><c>&lt;snapshot&gt;/users/&lt;id&gt;/&lt;app&gt;</c> → <c>&lt;snapshot&gt;</c>.</summary>
    private static string StagingRoot(string treeDirectory) => Path.GetFullPath(Path.Combine(treeDirectory, "..", "..", ".."));

    private static TreeState? ReadState(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<TreeState>(File.ReadAllBytes(path), InstanceManifest.Json);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or JsonException)
        {
            return null;
        }
    }

    /// <summary>What the last run staged for a tree, and what the live files looked like then.</summary>
    private sealed record TreeState(UserTreeEntry Entry, DatabaseStamp? Stamp, Dictionary<string, long> FileTimes);
}
