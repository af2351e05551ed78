using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.Api.Platform;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Api.Shards;

/// <summary>
/// <c>user_shard</c>: which shard is each user's home. A user's home never changes by itself (only a move changes it,
/// and tells every shard), so a lookup is cached for the life of the process and the platform DB is read once per user
/// and process, and again after a move.
/// </summary>
public sealed class UserShardMap(
    NpgsqlDataSource dataSource, ShardDirectory shards, IAccountErasures erasures, IOptions<ShardOptions> shardOptions, IOptions<PeregrineOptions> options)
{
    private readonly ConcurrentDictionary<string, string> _homes = new(StringComparer.Ordinal);

    /// <summary>The user's home shard, or null for a user no shard has placed yet.</summary>
    public async ValueTask<string?> FindAsync(string userId, CancellationToken cancellationToken)
    {
        if (_homes.TryGetValue(userId, out var cached))
        {
            return cached;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var home = await ReadAsync(connection, userId, cancellationToken);
        if (home is not null)
        {
            _homes[userId] = home;
        }

        return home;
    }

    /// <summary>
    /// A session from before its user's erasure, which deleted their home: refused wherever it arrives, so the shard
    /// that has it answers it, and nothing places the erased account again. Asked of the platform DB itself, and only
    /// for users without a home.
    /// </summary>
    public async Task<bool> IsFromBeforeErasureAsync(ValidatedSession session, CancellationToken cancellationToken)
    {
        try
        {
            return await FindAsync(session.UserId, cancellationToken) is null
                && await erasures.RefusesSessionAsync(session.UserId, session.IssuedAt, refresh: true, cancellationToken);
        }
        catch (Exception e) when (PlatformDb.IsOutage(e))
        {
            return false; // finding the home fails the same way next, and answers 503
        }
    }

    /// <summary>A move flipped the user's home: this process knows at once, the others are told (<see cref="Forget"/>).</summary>
    public void Remember(string userId, string home) => _homes[userId] = home;

    /// <summary>The next lookup reads the platform DB: the user was moved, or a shard refused a request as not theirs.</summary>
    public void Forget(string userId) => _homes.TryRemove(userId, out _);

    /// <summary>
    /// Gives a user their home: an existing one if any shard placed them first, else the live shard with the fewest
    /// users (this one, when its data root already holds the user's tree: data kept from before shards were turned on
    /// stays where it is). Two shards placing the same user at once both read back the one row that was inserted.
    /// </summary>
    public async Task<string> PlaceAsync(string userId, CancellationToken cancellationToken)
    {
        if (await FindAsync(userId, cancellationToken) is { } existing)
        {
            return existing;
        }

        var live = shards.LiveShards().Keys.ToArray();
        if (live.Length == 0)
        {
            throw new ShardUnavailableException("no shard is live");
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var self = shardOptions.Value.Id!;
        var chosen = live.Contains(self) && HasLocalTree(userId) ? self : await LeastLoadedAsync(connection, live, cancellationToken);
        const string insert = "INSERT INTO user_shard (user_id, shard_id) VALUES (@userId, @chosen) ON CONFLICT (user_id) DO NOTHING";
        await connection.ExecuteAsync(new CommandDefinition(insert, new { userId, chosen }, cancellationToken: cancellationToken));
        // A second statement, so it sees the row of a placement that won the race (one statement's snapshot would not).
        var home = await ReadAsync(connection, userId, cancellationToken)
            ?? throw new InvalidOperationException("a user's placement vanished right after it was written");
        _homes[userId] = home;
        return home;
    }

    private static Task<string?> ReadAsync(NpgsqlConnection connection, string userId, CancellationToken cancellationToken) =>
        connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT shard_id FROM user_shard WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));

    // Ties are broken at random, so shards placing many new users at once do not all pick the same one.
    private static Task<string> LeastLoadedAsync(NpgsqlConnection connection, string[] live, CancellationToken cancellationToken) =>
        connection.QuerySingleAsync<string>(new CommandDefinition(
            """
            SELECT s.shard_id FROM unnest(@live) AS s(shard_id)
            ORDER BY (SELECT count(*) FROM user_shard u WHERE u.shard_id = s.shard_id), random()
            LIMIT 1
            """,
            new { live }, cancellationToken: cancellationToken));

    private bool HasLocalTree(string userId) => Directory.Exists(Path.Combine(options.Value.DataRoot, userId));
}

/// <summary>The shard that holds a user's data is not live: their requests get a 503 until it is back.</summary>
public sealed class ShardUnavailableException(string message) : Exception(message);
