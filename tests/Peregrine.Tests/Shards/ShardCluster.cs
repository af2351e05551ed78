using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Peregrine.Api.Shards.Moves;
using Peregrine.Configuration;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Shards;

/// <summary>
/// Three shards as real Api processes (each its own data root, silo port and HTTP port) on one real Postgres, started
/// once for the collection. <see cref="KillAsync"/> is a kill -9; <see cref="RestartAsync"/> brings the shard back on
/// the same data root (and a new HTTP port: the others must learn it from the cluster, not from the test). A subclass
/// may start other shards, with other server secrets (a rotation in progress).
/// </summary>
public class ShardCluster : IAsyncLifetime
{
    public const string App = "peregrine";

    /// <summary>Each shard's admission limit (<c>LoadShedding__MaxConcurrentRequests</c>).</summary>
    public const int AdmittedAtOnce = 4;
    private static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(60);
    private readonly Dictionary<string, Shard> _shards = new(StringComparer.Ordinal);

    private readonly string _serverSecret;
    private readonly string? _previousSecret;

    public ShardCluster()
        : this(["a", "b", "c"], CloudEnvironment.ServerSecret, previousSecret: null)
    {
    }

    /// <summary>Protected: a fixture has one public constructor.</summary>
    protected ShardCluster(IReadOnlyList<string> ids, string serverSecret, string? previousSecret) =>
        (Ids, _serverSecret, _previousSecret) = (ids, serverSecret, previousSecret);

    public PostgresFixture Postgres { get; } = new();

    public IReadOnlyList<string> Ids { get; }

    public Shard this[string id] => _shards[id];

    public async Task InitializeAsync()
    {
        await Postgres.InitializeAsync();
        foreach (var id in Ids)
        {
            _shards[id] = new Shard(id, new TestDirectory($"shard-{id}"), LoopbackPort.Free());
        }

        // Started together, as a deployment would: the schema's advisory lock lets one of them apply it.
        await Task.WhenAll(Ids.Select(StartAsync));
        await WaitUntilAllServeAsync();

        // The tests start once every shard has placed and served a first user (its own start-up work done).
        foreach (var id in Ids)
        {
            await Eventually.UntilAsync(async () =>
            {
                using var client = Client(id, Guid.NewGuid().ToString());
                using var response = await client.GetAsync("/peregrine/api/session");
                return response.IsSuccessStatusCode;
            }, JoinTimeout, TimeSpan.FromMilliseconds(500));
        }
    }

    /// <summary>
    /// Runs <paramref name="load"/>; when it fails, the failure names what every shard logged as a warning or an error
    /// (a 503 alone does not say which shard gave up on what).
    /// </summary>
    public Task ExplainingFailuresAsync(Func<Task> load) => ExplainingFailuresAsync(async () =>
    {
        await load();
        return true;
    });

    /// <inheritdoc cref="ExplainingFailuresAsync(Func{Task})"/>
    public async Task<T> ExplainingFailuresAsync<T>(Func<Task<T>> load)
    {
        try
        {
            return await load();
        }
        catch (Exception e)
        {
            var logged = Ids.SelectMany(id => _shards[id].Server?.ProblemsLogged().Select(line => $"[shard {id}] {line}") ?? []).TakeLast(40);
            throw new Xunit.Sdk.XunitException($"{e.Message}\nWhat the shards logged as problems (last 40):\n{string.Join('\n', logged)}", e);
        }
    }

    public async Task KillAsync(string id) => await _shards[id].Server!.KillAsync(TimeSpan.FromSeconds(10));

    public async Task RestartAsync(string id)
    {
        await _shards[id].Server!.DisposeAsync();
        await StartAsync(id);
        await WaitUntilAllServeAsync();
    }

    /// <summary>A client of shard <paramref name="id"/> signed in as <paramref name="userId"/> (cookie, as a browser sends it).</summary>
    public HttpClient Client(string id, string userId) => SignedIn.To(_shards[id].Server!.Address, TestTokens.Session(userId));

    /// <summary>Waits until Orleans' membership has no Active silo for the shard (its failure detector voted it dead).</summary>
    public async Task WaitUntilNotActiveAsync(string id) =>
        await Eventually.UntilAsync(async () =>
        {
            await using var connection = await Postgres.OpenAsync();
            return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM orleansmembershiptable WHERE siloname = @id AND status = 3", new { id }) == 0;
        }, JoinTimeout, TimeSpan.FromMilliseconds(200));

    /// <summary>The state of the user's move in the move journal (<c>copying</c>, <c>flipped</c>, <c>done</c>, …), or null before any move.</summary>
    public async Task<string?> MoveStateAsync(string userId)
    {
        await using var connection = await Postgres.OpenAsync();
        return await connection.QuerySingleOrDefaultAsync<string>("SELECT state FROM user_moves WHERE user_id = @userId", new { userId });
    }

    /// <summary>
    /// Writes <paramref name="megabytes"/> MB of random bytes into the user's tree on <paramref name="shard"/>, so that a
    /// move of it copies for a while; returns the file's path under the app folder and its SHA-256.
    /// </summary>
    public async Task<(string RelativePath, string Sha256)> AddBallastAsync(string shard, string userId, int megabytes)
    {
        const string relative = "data/ballast.bin";
        var path = _shards[shard].DataRoot.Combine(userId, App, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var file = File.Create(path))
        {
            for (var written = 0; written < megabytes; written += 16)
            {
                var chunk = RandomNumberGenerator.GetBytes(Math.Min(16, megabytes - written) << 20);
                sha256.AppendData(chunk);
                await file.WriteAsync(chunk);
            }
        }

        return (relative, Convert.ToHexString(sha256.GetHashAndReset()));
    }

    /// <summary>Polls the move journal until <paramref name="move"/> has begun, and says the state it saw; fails after 60 s.</summary>
    public async Task<string> WaitForMoveToBeginAsync(string userId, Task move)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60) && !move.IsCompleted)
        {
            if (await MoveStateAsync(userId) is { } state)
            {
                return state;
            }

            await Task.Delay(2);
        }

        await move; // a move that ended without beginning says why
        Assert.Fail(move.IsCompleted ? "the move ended before the journal said it began" : "the move did not begin within 60 s");
        return string.Empty;
    }

    /// <summary>Each placed user's home shard, from the platform DB.</summary>
    public async Task<Dictionary<string, string>> HomesAsync()
    {
        await using var connection = await Postgres.OpenAsync();
        var rows = await connection.QueryAsync<(string User, string Shard)>("SELECT user_id, shard_id FROM user_shard");
        return rows.ToDictionary(r => r.User, r => r.Shard, StringComparer.Ordinal);
    }

    /// <summary>The shards whose data root holds the user's encrypted DB.</summary>
    public IReadOnlyList<string> ShardsHoldingDatabaseOf(string userId) =>
        [.. Ids.Where(id => File.Exists(_shards[id].DataRoot.Combine(userId, App, "staging.db")))];

    /// <summary>Runs an operator verb as shard <paramref name="id"/>'s environment would (a separate process, like <c>docker compose exec</c>).</summary>
    public async Task<ApiProcess.Outcome> RunOperatorAsync(string id, params string[] arguments)
    {
        var environment = CloudEnvironment.For(_shards[id].DataRoot.Path, Postgres.Url, _serverSecret, _previousSecret);
        environment["Shards__Id"] = id;
        return await ApiProcess.RunAsync(environment, TimeSpan.FromMinutes(3), arguments);
    }

    /// <summary>What <c>move-user</c> asks the user's home shard for, without starting a process per move.</summary>
    public async Task<JsonElement> MoveAsync(string user, string to)
    {
        var entry = (await HomesAsync())[user];
        using var http = new HttpClient { BaseAddress = _shards[entry].Server!.Address, Timeout = TimeSpan.FromMinutes(2) };
        ShardInternalCalls.Authorize(http.DefaultRequestHeaders, ShardInternalCalls.Token(new PeregrineOptions { ServerSecret = _serverSecret }));
        using var response = await http.PostAsJsonAsync("/internal/shards/moves", new { user_id = user, to });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"move of {user} to {to}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public bool HasTree(string id, string userId) => Directory.Exists(_shards[id].DataRoot.Combine(userId));

    public async Task DisposeAsync()
    {
        foreach (var shard in _shards.Values)
        {
            if (shard.Server is not null)
            {
                await shard.Server.DisposeAsync();
            }

            shard.DataRoot.Dispose();
        }

        await Postgres.DisposeAsync();
    }

    private async Task StartAsync(string id)
    {
        var shard = _shards[id];
        (string, string)[] secrets = _previousSecret is null
            ? [("CF_SERVER_SECRET", _serverSecret)]
            : [("CF_SERVER_SECRET", _serverSecret), ("CF_SERVER_SECRET_PREVIOUS", _previousSecret)];
        shard.Server = await ApiServer.StartAsync(
            shard.DataRoot.Path,
            [.. secrets,
            ("PLATFORM_DB_URL", Postgres.Url),
            ("Shards__Id", id),
            ("Shards__AllowMoveInterruptions", "true"),
            ("Shards__SiloPort", shard.SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            // Few requests admitted at once, so a shard that held a permit while forwarding would soon starve the others.
            ("LoadShedding__MaxConcurrentRequests", AdmittedAtOnce.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
    }

    /// <summary>Every shard has published the address of its current silo, and that silo is Active (status 3) in the membership.</summary>
    private async Task WaitUntilAllServeAsync()
    {
        const string serving = """
            SELECT count(*) FROM shard_endpoints e
            JOIN orleansmembershiptable m ON e.silo_address = m.address || ':' || m.port || '@' || m.generation
            WHERE m.status = 3 AND e.http_url = ANY(@urls)
            """;
        var urls = _shards.Values.Select(s => s.Server!.Address.ToString()).ToArray();
        await Eventually.UntilAsync(async () =>
        {
            await using var connection = await Postgres.OpenAsync();
            return await connection.ExecuteScalarAsync<long>(serving, new { urls }) == Ids.Count;
        }, JoinTimeout, TimeSpan.FromMilliseconds(200));
    }

    public sealed class Shard(string id, TestDirectory dataRoot, int siloPort)
    {
        public string Id { get; } = id;

        public TestDirectory DataRoot { get; } = dataRoot;

        public int SiloPort { get; } = siloPort;

        public ApiServer? Server { get; set; }
    }
}

/// <summary>The three-shard cluster, once for its tests, which run one after another (one of them kills a shard).</summary>
[CollectionDefinition(Name)]
public sealed class ShardCollection : ICollectionFixture<ShardCluster>
{
    public const string Name = "Shards";
}
