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
/// </summary>
internal sealed partial class ShardTreeClaims(
    NpgsqlDataSource dataSource, IOptions<ShardOptions> shard, IOptions<PeregrineOptions> options, ILogger<ShardTreeClaims> logger) : IHostedService
{
    private const int BatchSize = 1_000;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var self = shard.Value.Id!;
        var (claimed, elsewhere) = (0, 0);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var users in UserTrees.UserIds(options.Value).Chunk(BatchSize))
        {
            claimed += await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO user_shard (user_id, shard_id) SELECT unnest(@users), @self ON CONFLICT (user_id) DO NOTHING",
                new { users, self }, cancellationToken: cancellationToken));
            elsewhere += await connection.ExecuteScalarAsync<int>(new CommandDefinition(
                "SELECT count(*) FROM user_shard WHERE user_id = ANY(@users) AND shard_id <> @self",
                new { users, self }, cancellationToken: cancellationToken));
        }

        LogClaimed(logger, self, claimed);
        if (elsewhere > 0)
        {
            LogTreesOfOtherShards(logger, self, elsewhere);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shard {Shard} claimed {Count} users whose trees are on its disk and who had no home")]
    private static partial void LogClaimed(ILogger logger, string shard, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shard {Shard} holds the trees of {Count} users who live on another shard; they are not served from here (inspect-user says where each lives)")]
    private static partial void LogTreesOfOtherShards(ILogger logger, string shard, int count);
}
