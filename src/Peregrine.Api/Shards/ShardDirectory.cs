using System.Collections.Concurrent;
using Dapper;
using Npgsql;
using Orleans.Runtime;

namespace Peregrine.Api.Shards;

/// <summary>
/// The cluster's view of the shards: which are live (an Active silo in Orleans' membership, whose failure detector
/// decides; nothing here probes) and where each live one serves HTTP (<c>shard_endpoints</c>, which each shard writes
/// for itself). An address is only ever given out for the silo generation that published it, so a shard that died and
/// has not yet come back gets no traffic sent to its old address.
/// </summary>
public sealed class ShardDirectory(IClusterMembershipService membership, NpgsqlDataSource dataSource, TimeProvider clock)
{
    // Reads after a mismatch are spaced out: a restarted shard joins the membership a moment before it publishes its
    // address, and every request for its users in that moment would otherwise read the table.
    private static readonly TimeSpan RereadAfter = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, ShardEndpoint> _endpoints = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _reading = new(1, 1);
    private long _lastReadTicks = long.MinValue;
    private volatile LiveView _live = new(MembershipVersion.MinValue, new Dictionary<string, SiloAddress>());

    /// <summary>Each live shard and its current silo (the newest Active generation of that name); recomputed only when the membership changes.</summary>
    public IReadOnlyDictionary<string, SiloAddress> LiveShards()
    {
        var snapshot = membership.CurrentSnapshot;
        var live = _live;
        if (live.Version == snapshot.Version)
        {
            return live.Shards;
        }

        var shards = snapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .GroupBy(member => member.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.MaxBy(member => member.SiloAddress.Generation)!.SiloAddress, StringComparer.Ordinal);
        _live = new LiveView(snapshot.Version, shards);
        return shards;
    }

    /// <summary>Where <paramref name="shardId"/> serves HTTP, or null while it is down (or up but not yet listening).</summary>
    public async ValueTask<Uri?> LiveAddressAsync(string shardId, CancellationToken cancellationToken)
    {
        if (!LiveShards().TryGetValue(shardId, out var silo))
        {
            return null;
        }

        var expected = silo.ToParsableString();
        if (_endpoints.TryGetValue(shardId, out var known) && known.SiloAddress == expected)
        {
            return known.HttpUrl;
        }

        await ReadEndpointsAsync(cancellationToken);
        return _endpoints.TryGetValue(shardId, out known) && known.SiloAddress == expected ? known.HttpUrl : null;
    }

    /// <summary>After a forward could not connect: the next request reads the table again instead of trusting this entry.</summary>
    public void Forget(string shardId) => _endpoints.TryRemove(shardId, out _);

    /// <summary>Publishes this shard's address for its current silo generation.</summary>
    public async Task PublishAsync(string shardId, Uri httpUrl, SiloAddress silo, CancellationToken cancellationToken)
    {
        const string upsert = """
            INSERT INTO shard_endpoints (shard_id, http_url, silo_address) VALUES (@shardId, @url, @silo)
            ON CONFLICT (shard_id) DO UPDATE SET http_url = excluded.http_url, silo_address = excluded.silo_address, updated_at = now()
            """;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(upsert, new { shardId, url = httpUrl.ToString(), silo = silo.ToParsableString() }, cancellationToken: cancellationToken));
        _endpoints[shardId] = new ShardEndpoint(httpUrl, silo.ToParsableString());
    }

    private async Task ReadEndpointsAsync(CancellationToken cancellationToken)
    {
        const string all = "SELECT shard_id AS ShardId, http_url AS HttpUrl, silo_address AS SiloAddress FROM shard_endpoints";
        await _reading.WaitAsync(cancellationToken);
        try
        {
            var now = clock.GetTimestamp();
            if (_lastReadTicks != long.MinValue && clock.GetElapsedTime(_lastReadTicks, now) < RereadAfter)
            {
                return;
            }

            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            foreach (var row in await connection.QueryAsync<EndpointRow>(new CommandDefinition(all, cancellationToken: cancellationToken)))
            {
                _endpoints[row.ShardId] = new ShardEndpoint(new Uri(row.HttpUrl), row.SiloAddress);
            }

            _lastReadTicks = now;
        }
        finally
        {
            _reading.Release();
        }
    }

    private sealed record ShardEndpoint(Uri HttpUrl, string SiloAddress);

    private sealed record LiveView(MembershipVersion Version, IReadOnlyDictionary<string, SiloAddress> Shards);

    private sealed record EndpointRow(string ShardId, string HttpUrl, string SiloAddress);
}
