using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Shards.Moves;

/// <summary>
/// A shard's disk during a move: the target stages the files it is sent under <c>&lt;root&gt;/.moves/&lt;user&gt;/</c>, checks
/// them and renames them into place; the source removes its copy once the user lives elsewhere. Both check the
/// platform DB first: a shard never replaces or removes the tree of a user whose home it is.
/// </summary>
public sealed class MovedTrees(UserDatabases databases, MoveJournal journal, IOptions<ShardOptions> shardOptions, IOptions<PeregrineOptions> options)
{
    private readonly string _self = shardOptions.Value.Id!;

    private PeregrineOptions Settings => options.Value;

    public void DiscardStaging(string userId)
    {
        var staging = StagingRoot(userId);
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }
    }

    /// <summary>Writes one received file into the staging folder; false when its bytes do not match the checksum sent.</summary>
    public async Task<bool> ReceiveAsync(string userId, string relativePath, string sha256, Stream body, CancellationToken cancellationToken)
    {
        var path = InsideStaging(userId, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await using (var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            await body.CopyToAsync(file, cancellationToken);
        }

        DurableFile.FlushFile(path);
        return await Sha256Async(path, cancellationToken) == sha256;
    }

    /// <summary>
    /// Checks the staged files against the list (every one present, no other, each checksum equal), opens each DB with
    /// the user's key, then renames the folder into place (replacing a copy left by an interrupted attempt). Null when
    /// done, else what is wrong.
    /// </summary>
    public async Task<string?> CommitAsync(string userId, IReadOnlyList<MovedFile> expected, CancellationToken cancellationToken)
    {
        if (await journal.HomeAsync(userId, cancellationToken) == _self)
        {
            return "the user already lives on this shard";
        }

        var staged = StagingOf(userId);
        Directory.CreateDirectory(staged); // a user with no files yet is moved as an empty folder
        var found = Directory.Exists(staged) ? Directory.EnumerateFiles(staged, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(staged, p).Replace(Path.DirectorySeparatorChar, '/')).ToHashSet(StringComparer.Ordinal) : [];
        if (!found.SetEquals(expected.Select(f => f.Path)))
        {
            return "the staged files are not the files that were sent";
        }

        foreach (var file in expected)
        {
            if (await Sha256Async(InsideStaging(userId, file.Path), cancellationToken) != file.Sha256)
            {
                return $"{file.Path} differs from what was sent";
            }
        }

        var user = CloudUserResolver.ForUser(Settings, userId);
        if (File.Exists(Path.Combine(staged, "staging.db")))
        {
            try
            {
                using var opened = DatabaseInspection.OpenReadOnly(user.Database with { Path = Path.Combine(staged, "staging.db") });
                opened.SchemaVersion();
            }
            catch (Exception e) when (e is UnknownKeyIdException or InvalidDataException or Microsoft.Data.Sqlite.SqliteException)
            {
                return "the copied DB does not open with the user's key";
            }

            File.Delete(Path.Combine(staged, "staging.db-shm"));
        }

        using (await databases.HoldForReplacementAsync(user.Database, TimeSpan.FromSeconds(5), cancellationToken))
        {
            RemoveAppTree(user);
            Directory.CreateDirectory(Path.GetDirectoryName(user.AppDirectory)!);
            Directory.Move(staged, user.AppDirectory);
            DurableFile.FlushDirectory(Path.GetDirectoryName(user.AppDirectory)!);
            // This shard may have served the user before they moved away once: the file is theirs again.
            databases.Reinstate(user.Database);
            databases.Evict(user.Database);
        }

        DiscardStaging(userId);
        return null;
    }

    /// <summary>Removes this shard's copy of a user who lives elsewhere; false (nothing removed) if they live here.</summary>
    public async Task<bool> RemoveIfMovedAwayAsync(string userId, CancellationToken cancellationToken)
    {
        if (await journal.HomeAsync(userId, cancellationToken) is not { } home || home == _self)
        {
            return false;
        }

        var user = CloudUserResolver.ForUser(Settings, userId);
        using (await databases.HoldForReplacementAsync(user.Database, TimeSpan.FromSeconds(5), cancellationToken))
        {
            databases.MarkRemoved(user.Database);
            RemoveAppTree(user);
        }

        var userRoot = Path.GetDirectoryName(user.AppDirectory)!;
        if (Directory.Exists(userRoot) && !Directory.EnumerateFileSystemEntries(userRoot).Any())
        {
            Directory.Delete(userRoot);
        }

        return true;
    }

    private static void RemoveAppTree(UserContext user)
    {
        if (Directory.Exists(user.AppDirectory))
        {
            Directory.Delete(user.AppDirectory, recursive: true);
        }
    }

    private string StagingRoot(string userId) => Path.Combine(Settings.DataRoot, ".moves", userId);

    private string StagingOf(string userId) => Path.Combine(StagingRoot(userId), Settings.App);

    private string InsideStaging(string userId, string relativePath)
    {
        var root = StagingOf(userId) + Path.DirectorySeparatorChar;
        var path = Path.GetFullPath(Path.Combine(root, relativePath));
        return path.StartsWith(root, StringComparison.Ordinal) ? path : throw new InvalidOperationException("a moved file's path leaves the staging folder");
    }

    private static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(file, cancellationToken));
    }
}
