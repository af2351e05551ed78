using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.Api.Operations;
using Peregrine.Configuration;

namespace Peregrine.Api.Shards;

/// <summary>
/// At start, before the silo joins, gives this shard every user whose tree is on its data root and who has no home
/// yet. A single host never writes <c>user_shard</c>, so when a host scales out, its users' trees are on the first
/// shard's disk with no row: without this, such a user's first request through another shard would place them there,
/// on an empty DB, and their data would seem gone. A tree here whose user lives on another shard is never served from
/// here (requests go to the home); it is counted in the log, for the operator to look at.
/// <para>
/// A tree of a user erased since it was last written is not claimed but removed: it is a copy that survived the
/// erasure on a shard that was down then (files a move left behind), and claiming it would bring the erased data back.
/// A tree written after the erasure is a new account's under the same id, and is claimed like any other.
/// </para>
/// </summary>
internal sealed partial class ShardTreeClaims(
    NpgsqlDataSource dataSource, IOptions<ShardOptions> shard, IOptions<PeregrineOptions> options, ILogger<ShardTreeClaims> logger) : IHostedService
{
    private const int BatchSize = 1_000;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var self = shard.Value.Id!;
        var (claimed, elsewhere, removed) = (0, 0, 0);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var batch in UserTrees.UserIds(options.Value).Chunk(BatchSize))
        {
            var survivors = await SurvivorsOfErasureAsync(connection, batch, cancellationToken);
            foreach (var survivor in survivors)
            {
                Directory.Delete(Path.Combine(options.Value.DataRoot, survivor), recursive: true);
            }

            removed += survivors.Count;
            var users = batch.Except(survivors, StringComparer.Ordinal).ToArray();
            claimed += await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO user_shard (user_id, shard_id) SELECT unnest(@users), @self ON CONFLICT (user_id) DO NOTHING",
                new { users, self }, cancellationToken: cancellationToken));
            elsewhere += await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*) FROM user_shard WHERE user_id = ANY(@users) AND shard_id <> @self",
                new { users, self }, cancellationToken: cancellationToken));
        }

        LogClaimed(logger, self, claimed);
        if (removed > 0)
        {
            LogErasedTreesRemoved(logger, self, removed);
        }
        if (elsewhere > 0)
        {
            LogTreesOfOtherShards(logger, self, elsewhere);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The users of <paramref name="users"/> with no home who were erased after their tree here was last written.</summary>
    private async Task<List<string>> SurvivorsOfErasureAsync(NpgsqlConnection connection, string[] users, CancellationToken cancellationToken)
    {
        const string erasedWithoutHome = """
            SELECT e.user_id::text, e.erased_at FROM account_erasures e
            WHERE e.user_id::text = ANY(@users) AND NOT EXISTS (SELECT 1 FROM user_shard s WHERE s.user_id = e.user_id::text)
            """;
        var erased = await connection.QueryAsync<(string User, DateTime ErasedAt)>(new CommandDefinition(erasedWithoutHome, new { users }, cancellationToken: cancellationToken));
        return [.. erased.Where(row => LastWrittenUtc(Path.Combine(options.Value.DataRoot, row.User)) < row.ErasedAt.ToUniversalTime()).Select(row => row.User)];
    }

    private static DateTime LastWrittenUtc(string tree) =>
        new DirectoryInfo(tree).EnumerateFiles("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint })
            .Select(file => file.LastWriteTimeUtc)
            .DefaultIfEmpty(DateTime.MinValue)
            .Max();

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} claimed {Count} users whose trees are on its disk and who had no home")]
    private static partial void LogClaimed(ILogger logger, string shard, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} removed {Count} trees of users erased since they were written (copies left while it was down)")]
    private static partial void LogErasedTreesRemoved(ILogger logger, string shard, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} holds the trees of {Count} users who live on another shard; they are not served from here (inspect-user says where each lives)")]
    private static partial void LogTreesOfOtherShards(ILogger logger, string shard, int count);
}
