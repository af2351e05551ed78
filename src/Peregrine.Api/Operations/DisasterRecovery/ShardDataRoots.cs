using Dapper;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Api.Operations.DisasterRecovery;

/// <summary>One data root the disaster-recovery verbs read or fill: a shard's (<see cref="Shard"/>), or a single host's (null).</summary>
public sealed record ShardDataRoot(string? Shard, string Path);

/// <summary>A tree to snapshot, and the data root it is copied from (its user's home).</summary>
public sealed record TreeAtHome(ShardDataRoot Root, UserContext Tree);

/// <summary>
/// Every data root of the instance, as the disaster-recovery verbs see them. A sharded deployment's shards share one host,
/// so the process that runs the verbs (the <c>backup</c> service) mounts every shard's root and is told where each is with
/// <c>Shards__DataRoots__&lt;id&gt;</c> (e.g. <c>Shards__DataRoots__b=/data/cloud-b</c>). Without that setting the verbs
/// see this process's own root (<c>CLOUD_DATA_ROOT</c>), named after <c>Shards__Id</c> if it is one shard.
/// </summary>
public sealed class ShardDataRoots
{
    public const string Section = "Shards:DataRoots";

    private ShardDataRoots(IReadOnlyList<ShardDataRoot> roots) => Roots = roots;

    /// <summary>In shard order; the first is where an unplaced user's tree goes.</summary>
    public IReadOnlyList<ShardDataRoot> Roots { get; }

    public static ShardDataRoots From(IConfiguration configuration, PeregrineOptions settings)
    {
        var configured = configuration.GetSection(Section).GetChildren()
            .Where(child => !string.IsNullOrWhiteSpace(child.Value))
            .Select(child => new ShardDataRoot(child.Key, System.IO.Path.GetFullPath(child.Value!)))
            .OrderBy(root => root.Shard, StringComparer.Ordinal)
            .ToList();
        var ownShard = configuration["Shards:Id"];
        return new ShardDataRoots(configured.Count > 0 ? configured : [new ShardDataRoot(string.IsNullOrWhiteSpace(ownShard) ? null : ownShard, settings.DataRoot)]);
    }

    /// <summary>A single host's one root (<c>CLOUD_DATA_ROOT</c>).</summary>
    public static ShardDataRoots OfSingleHost(PeregrineOptions settings) => new([new ShardDataRoot(null, settings.DataRoot)]);

    /// <summary>Every user's home (<c>user_shard</c>): read under the snapshot's lock, so no move changes it meanwhile.</summary>
    public static async Task<Dictionary<string, string>> HomesAsync(NpgsqlConnection connection, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<(string UserId, string ShardId)>(new CommandDefinition("SELECT user_id, shard_id FROM user_shard", cancellationToken: cancellationToken)))
            .ToDictionary(row => row.UserId, row => row.ShardId, StringComparer.Ordinal);

    /// <summary>Every shard that is some user's home must have a root here: a snapshot or restore without one would lose its users.</summary>
    public void EnsureEveryHomeReachable(IReadOnlyDictionary<string, string> homes)
    {
        var shards = homes.Values.Distinct().ToList();
        // A single host's root is whatever one home its users have (a host that ran as one shard).
        var missing = Roots is [{ Shard: null }]
            ? shards.Count <= 1 ? [] : shards
            : shards.Where(shard => Roots.All(root => root.Shard != shard)).ToList();
        if (missing.Count > 0)
        {
            throw new DataRootMissingException(
                $"users live on shard(s) {string.Join(", ", missing.Order(StringComparer.Ordinal))}, whose data root this process was not given; " +
                "set Shards__DataRoots__<id> for every shard (the backup service of a sharded deployment has them)");
        }
    }

    /// <summary>
    /// The trees to snapshot, each once, from its user's home. A tree on another shard's root is left out: it is the old
    /// copy of a move that has flipped and not yet removed it, never served. A user with no home yet (a tree kept from
    /// before shards) is taken from the first root that has them.
    /// </summary>
    public List<TreeAtHome> TreesAtHome(PeregrineOptions settings, IReadOnlyDictionary<string, string> homes)
    {
        var trees = new List<TreeAtHome>();
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var root in Roots)
        {
            var rootSettings = settings.WithDataRoot(root.Path);
            foreach (var userId in UserTrees.UserIds(rootSettings))
            {
                var home = homes.GetValueOrDefault(userId);
                var atHome = root.Shard is null || home is null ? taken.Add(userId) : home == root.Shard;
                if (atHome)
                {
                    trees.AddRange(UserTrees.AppsOf(rootSettings, userId).Select(tree => new TreeAtHome(root, tree)));
                }
            }
        }

        return trees;
    }

    /// <summary>Where a restored tree goes: its home in the restored <c>user_shard</c>, else the shard it was copied from, else the first root.</summary>
    public ShardDataRoot RootFor(UserTreeEntry tree, IReadOnlyDictionary<string, string> homes)
    {
        if (Roots is [{ Shard: null } single])
        {
            return single;
        }

        var home = homes.GetValueOrDefault(tree.UserId) ?? tree.Shard;
        return home is null ? Roots[0] : Roots.FirstOrDefault(root => root.Shard == home)
            ?? throw new DataRootMissingException($"the snapshot's user {tree.UserId} lives on shard {home}, whose data root this process was not given; set Shards__DataRoots__{home}");
    }
}

/// <summary>A shard that is some user's home has no data root in this process's settings.</summary>
public sealed class DataRootMissingException(string message) : Exception(message);
