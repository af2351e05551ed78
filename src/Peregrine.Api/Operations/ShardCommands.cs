using System.Net.Http.Json;
using Dapper;
using Peregrine.Api.Erasure;
using Peregrine.Api.Platform;
using Peregrine.Api.Shards;
using Peregrine.Api.Shards.Moves;
using Peregrine.Configuration;

namespace Peregrine.Api.Operations;

/// <summary>
/// How the operator's shard verbs reach the cluster. The command is a separate, short-lived process, so it does not
/// join the cluster: it reads the live shards from the platform DB (an Active silo in Orleans' membership, with the
/// address it published) and asks one of them over HTTP (<see cref="MoveEndpoints"/>), preferring the user's home.
/// That shard calls the user's grain, so the move runs on the home whichever shard was asked.
/// </summary>
internal sealed class ShardCommands(PlatformDb platform, PeregrineOptions settings)
{
    // A move or an erasure, each of which may first wait for the other to finish.
    private static readonly TimeSpan MoveTimeout = TimeSpan.FromMinutes(10);

    /// <summary>True when the service's environment names a shard (<c>Shards__Id</c>): the verbs then report placement too.</summary>
    public static bool AreConfigured(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetSection(ShardOptions.Section).Get<ShardOptions>() is { IsEnabled: true };

    /// <summary>The shard this command runs as (<c>Shards__Id</c>).</summary>
    public static string ThisShard(IServiceProvider services) =>
        services.GetRequiredService<IConfiguration>().GetSection(ShardOptions.Section).Get<ShardOptions>()!.Id!;

    /// <summary>Each live shard's HTTP address, by shard id.</summary>
    public async Task<Dictionary<string, Uri>> LiveShardsAsync(CancellationToken cancellationToken)
    {
        const string live = """
            SELECT e.shard_id, e.http_url FROM shard_endpoints e
            JOIN orleansmembershiptable m ON e.silo_address = m.address || ':' || m.port || '@' || m.generation
            WHERE m.status = 3 ORDER BY e.shard_id
            """;
        await using var connection = await platform.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Shard, string Url)>(new CommandDefinition(live, cancellationToken: cancellationToken));
        return rows.ToDictionary(row => row.Shard, row => new Uri(row.Url), StringComparer.Ordinal);
    }

    /// <summary>Users per shard, from <c>user_shard</c>.</summary>
    public async Task<SortedDictionary<string, int>> UsersPerShardAsync(CancellationToken cancellationToken)
    {
        await using var connection = await platform.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Shard, int Users)>(new CommandDefinition(
            "SELECT shard_id, count(*)::int FROM user_shard GROUP BY shard_id", cancellationToken: cancellationToken));
        return new SortedDictionary<string, int>(rows.ToDictionary(row => row.Shard, row => row.Users), StringComparer.Ordinal);
    }

    /// <summary>The users of each of <paramref name="shards"/> (an empty list for one with none), in a stable order.</summary>
    public async Task<Dictionary<string, IReadOnlyList<string>>> UsersByShardAsync(IEnumerable<string> shards, CancellationToken cancellationToken)
    {
        var ids = shards.ToArray();
        await using var connection = await platform.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string User, string Shard)>(new CommandDefinition(
            "SELECT user_id, shard_id FROM user_shard WHERE shard_id = ANY(@ids) ORDER BY user_id", new { ids }, cancellationToken: cancellationToken));
        var byShard = rows.ToLookup(row => row.Shard, row => row.User, StringComparer.Ordinal);
        return ids.ToDictionary(id => id, id => (IReadOnlyList<string>)[.. byShard[id]], StringComparer.Ordinal);
    }

    public async Task<string?> HomeOfAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await platform.OpenAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            "SELECT shard_id FROM user_shard WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));
    }

    /// <summary>Moves that were interrupted (to run again before anything else), as (user, target).</summary>
    public async Task<IReadOnlyList<(string User, string To)>> UnfinishedMovesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await platform.OpenAsync(cancellationToken);
        return [.. await connection.QueryAsync<(string, string)>(new CommandDefinition(
            "SELECT user_id, to_shard FROM user_moves WHERE state IN ('copying', 'flipped') ORDER BY user_id", cancellationToken: cancellationToken))];
    }

    /// <summary>Asks the cluster to move the user (or finish their interrupted move); a failure is a report too.</summary>
    public async Task<MoveReport> MoveAsync(string userId, string to, string? interruptAfter, CancellationToken cancellationToken)
    {
        var live = await LiveShardsAsync(cancellationToken);
        var home = await HomeOfAsync(userId, cancellationToken);
        if (home is null)
        {
            return new MoveReport(userId, "", to, "failed", 0, 0, "the user has no home shard yet (never signed in with shards on)");
        }

        if (!live.ContainsKey(to))
        {
            return new MoveReport(userId, home, to, "failed", 0, 0, $"shard {to} is not live (live: {string.Join(", ", live.Keys)})");
        }

        using var response = await SendAsync(live.GetValueOrDefault(home) ?? live.Values.First(), "moves", JsonContent.Create(new MoveRequest(userId, to, interruptAfter), options: EraseUserCommand.Json), cancellationToken);
        return response.Content.Headers.ContentType?.MediaType == "application/json"
            ? (await response.Content.ReadFromJsonAsync<MoveReport>(EraseUserCommand.Json, cancellationToken))!
            : new MoveReport(userId, home, to, "failed", 0, 0, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    /// <summary>
    /// Asks the cluster to erase the user (on their home, under their grain): the receipt, or why nothing (or not
    /// everything) was erased. The user's home is asked when it is live; any live shard otherwise (it then answers
    /// whether the home can be reached).
    /// </summary>
    public async Task<(ErasureReceipt? Receipt, string? Problem)> EraseAsync(Guid userId, CancellationToken cancellationToken)
    {
        var live = await LiveShardsAsync(cancellationToken);
        if (live.Count == 0)
        {
            return (null, "no shard is live; nothing was erased");
        }

        var home = await HomeOfAsync(userId.ToString(), cancellationToken);
        var entry = (home is null ? null : live.GetValueOrDefault(home)) ?? live.Values.First();
        using var response = await SendAsync(entry, $"erasures/{userId}", content: null, cancellationToken);
        return response.IsSuccessStatusCode
            ? (await response.Content.ReadFromJsonAsync<ErasureReceipt>(EraseUserCommand.Json, cancellationToken), null)
            : (null, response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                ? (await response.Content.ReadFromJsonAsync<Microsoft.AspNetCore.Mvc.ProblemDetails>(cancellationToken))?.Detail
                : $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }

    private async Task<HttpResponseMessage> SendAsync(Uri shard, string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = MoveTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(shard, $"{ShardInternalCalls.PathPrefix}/{path}")) { Content = content };
        ShardInternalCalls.Authorize(request.Headers, ShardInternalCalls.Token(settings));
        return await client.SendAsync(request, cancellationToken);
    }
}
