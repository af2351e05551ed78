using System.Diagnostics;
using Dapper;
using Npgsql;

namespace Peregrine.HttpBench;

/// <summary>
/// N shards (<c>a</c>, <c>b</c>, …) as Release Api processes on loopback, each with its own data root and silo port,
/// on a platform database of their own created for this cluster (so clusters of one run never see each other's
/// membership). Users seeded onto a shard's data root before it starts are claimed by it. Disposing kills every shard
/// and drops the database, on failure too.
/// </summary>
internal sealed class ShardProcesses : IAsyncDisposable
{
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(90);
    private readonly string _adminConnection;
    private readonly string _database;
    private readonly List<Server> _servers = [];

    private ShardProcesses(string adminConnection, string database, IReadOnlyList<string> ids, IReadOnlyList<string> dataRoots)
    {
        _adminConnection = adminConnection;
        _database = database;
        Ids = ids;
        DataRoots = dataRoots;
    }

    public IReadOnlyList<string> Ids { get; }

    /// <summary>Shard i's data root: seed its users here before <see cref="StartAsync"/>.</summary>
    public IReadOnlyList<string> DataRoots { get; }

    public IReadOnlyList<Server> Servers => _servers;

    public Server this[string id] => _servers[Ids.ToList().IndexOf(id)];

    /// <summary>Creates the cluster's database and data roots (under <paramref name="scratch"/>); no process yet.</summary>
    public static async Task<ShardProcesses> CreateAsync(int count, string scratch, string platformDbUrl)
    {
        var url = new Uri(platformDbUrl);
        var credentials = url.UserInfo.Split(':', 2);
        var admin = new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Username = Uri.UnescapeDataString(credentials[0]),
            Password = credentials.Length > 1 ? Uri.UnescapeDataString(credentials[1]) : null,
            Database = url.AbsolutePath.TrimStart('/'),
            Timeout = 10,
        }.ConnectionString;
        var database = $"bench_shards_{count}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.ExecuteAsync($"CREATE DATABASE {database}");
        }

        var ids = Enumerable.Range(0, count).Select(i => ((char)('a' + i)).ToString()).ToList();
        var roots = ids.Select(id => Directory.CreateDirectory(Path.Combine(scratch, $"shards-{count}-{database[^6..]}", id)).FullName).ToList();
        return new ShardProcesses(admin, database, ids, roots);
    }

    /// <summary>The runbook's <c>PLATFORM_DB_URL</c> of this cluster's database.</summary>
    public string PlatformDbUrl(string platformDbUrl) => new UriBuilder(platformDbUrl) { Path = "/" + _database }.Uri.ToString();

    /// <summary>Starts every shard at once (as a deployment would), then waits until each one's silo is Active and it answers a user's request.</summary>
    public async Task StartAsync(IReadOnlyDictionary<string, string> cloudEnvironment, string platformDbUrl, string probeUserId)
    {
        var clock = Stopwatch.StartNew();
        var starting = Ids.Select((id, i) => Server.ApiAsync($"shard-{id}", new Dictionary<string, string>(cloudEnvironment)
        {
            ["CLOUD_DATA_ROOT"] = DataRoots[i],
            ["PLATFORM_DB_URL"] = PlatformDbUrl(platformDbUrl),
            ["Shards__Id"] = id,
            ["Shards__SiloPort"] = Server.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
        })).ToList();
        try
        {
            await Task.WhenAll(starting);
        }
        catch (Exception)
        {
            // One shard failed to start: the ones that did are still running and must not outlive the bench.
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }

        _servers.AddRange(starting.Select(s => s.Result));
        await WaitAsync("every shard's silo is Active with its address published", async () =>
        {
            await using var connection = new NpgsqlConnection(DatabaseConnection());
            return await connection.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM shard_endpoints e
                JOIN orleansmembershiptable m ON e.silo_address = m.address || ':' || m.port || '@' || m.generation
                WHERE m.status = 3 AND rtrim(e.http_url, '/') = ANY(@urls)
                """, new { urls = _servers.Select(s => s.Url(string.Empty)).ToArray() }) == Ids.Count;
        });

        // A new cluster's first routed requests wait while Orleans exchanges its metadata: measure after each shard has
        // served a seeded user once.
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        client.DefaultRequestHeaders.Add("Cookie", $"cf_session={BenchTokens.Session(probeUserId)}");
        foreach (var server in _servers)
        {
            await WaitAsync($"{server.Name} serves a user", async () => (await client.GetAsync(server.Url("/peregrine/api/jobs/counts"))).IsSuccessStatusCode);
        }

        Console.WriteLine($"  {Ids.Count} shard(s) serving {clock.Elapsed.TotalSeconds:F0} s after start; load average {Machine.LoadAverage()}");
    }

    /// <summary>Each placed user's home shard, from the cluster's platform DB.</summary>
    public async Task<Dictionary<string, string>> HomesAsync()
    {
        await using var connection = new NpgsqlConnection(DatabaseConnection());
        var rows = await connection.QueryAsync<(string User, string Shard)>("SELECT user_id, shard_id FROM user_shard");
        return rows.ToDictionary(r => r.User, r => r.Shard, StringComparer.Ordinal);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnection);
        await connection.ExecuteAsync($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)");
    }

    private string DatabaseConnection() => new NpgsqlConnectionStringBuilder(_adminConnection) { Database = _database }.ConnectionString;

    private static async Task WaitAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < JoinTimeout)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (Exception e) when (e is NpgsqlException or PostgresException or HttpRequestException or TaskCanceledException)
            {
                // The schema is not there yet, or a shard is still starting: ask again.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"not within {JoinTimeout.TotalSeconds:F0} s: {what}");
    }
}
