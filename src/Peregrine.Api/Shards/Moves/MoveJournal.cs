using Dapper;
using Npgsql;

namespace Peregrine.Api.Shards.Moves;

/// <summary>A user's move as the journal (<c>user_moves</c>) records it.</summary>
public sealed record MoveRecord(string UserId, string FromShard, string ToShard, string State, long? PauseMs, long? Bytes);

/// <summary>
/// <c>user_moves</c> and the flip of <c>user_shard</c>: the durable half of a move. Each step that changes something the
/// next attempt must know about is recorded before the attempt goes on, so a move killed anywhere resumes from here.
/// </summary>
public sealed class MoveJournal(NpgsqlDataSource dataSource)
{
    public const string Copying = "copying";
    public const string Flipped = "flipped";
    public const string Done = "done";
    public const string RolledBack = "rolled_back";

    public async Task<MoveRecord?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT user_id AS UserId, from_shard AS FromShard, to_shard AS ToShard, state AS State, pause_ms AS PauseMs, bytes AS Bytes
            FROM user_moves WHERE user_id = @userId
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<MoveRecord>(new CommandDefinition(sql, new { userId }, cancellationToken: cancellationToken));
    }

    /// <summary>Starts (or restarts) a move that has not flipped: any earlier finished or unflipped row is replaced.</summary>
    public async Task BeginAsync(string userId, string from, string to, CancellationToken cancellationToken)
    {
        const string sql = """
            INSERT INTO user_moves (user_id, from_shard, to_shard, state) VALUES (@userId, @from, @to, 'copying')
            ON CONFLICT (user_id) DO UPDATE SET from_shard = excluded.from_shard, to_shard = excluded.to_shard, state = 'copying',
                pause_ms = NULL, bytes = NULL, started_at = now(), updated_at = now()
            WHERE user_moves.state <> 'flipped'
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, from, to }, cancellationToken: cancellationToken)) != 1)
        {
            throw new InvalidOperationException("the user's previous move has flipped but not finished; it must be finished first");
        }
    }

    /// <summary>
    /// Points <c>user_shard</c> at the target and records it, in one transaction: either both happen or neither. Only from
    /// the source that is still the home, so a stale attempt can never flip a user back.
    /// </summary>
    public async Task FlipAsync(string userId, string from, string to, long pauseMs, long bytes, CancellationToken cancellationToken)
    {
        const string flip = "UPDATE user_shard SET shard_id = @to, placed_at = now() WHERE user_id = @userId AND shard_id = @from";
        const string record = """
            UPDATE user_moves SET state = 'flipped', pause_ms = @pauseMs, bytes = @bytes, updated_at = now()
            WHERE user_id = @userId AND from_shard = @from AND to_shard = @to AND state = 'copying'
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { userId, from, to, pauseMs, bytes };
        if (await connection.ExecuteAsync(new CommandDefinition(flip, parameters, transaction, cancellationToken: cancellationToken)) != 1
            || await connection.ExecuteAsync(new CommandDefinition(record, parameters, transaction, cancellationToken: cancellationToken)) != 1)
        {
            throw new InvalidOperationException($"the user's home is no longer {from}, or their move was changed meanwhile; nothing was flipped");
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public Task FinishAsync(string userId, CancellationToken cancellationToken) => SetStateAsync(userId, Flipped, Done, cancellationToken);

    public Task RollBackAsync(string userId, CancellationToken cancellationToken) => SetStateAsync(userId, Copying, RolledBack, cancellationToken);

    /// <summary>The user's home from the platform DB itself, never from a cache: what deleting a tree is checked against.</summary>
    public async Task<string?> HomeAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT shard_id FROM user_shard WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));
    }

    private async Task SetStateAsync(string userId, string from, string to, CancellationToken cancellationToken)
    {
        const string sql = "UPDATE user_moves SET state = @to, updated_at = now() WHERE user_id = @userId AND state = @from";
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(sql, new { userId, from, to }, cancellationToken: cancellationToken));
    }
}

internal static class MoveServices
{
    public static IServiceCollection AddMoves(this IServiceCollection services) => services
        .AddSingleton<MoveJournal>()
        .AddSingleton<MovePauses>()
        .AddSingleton<MoveTransfer>()
        .AddSingleton<MovedTrees>()
        .AddSingleton<UserMove>()
        .AddSingleton<HomeErasure>();
}
