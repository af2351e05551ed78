using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.Api.Platform;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Rotation;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary>
/// One instance for a disaster-recovery test: a data root, a platform DB of its own on the shared Postgres, a real restic
/// repository with its password, and the real Api (in-process) to fill it through the same endpoints users call. The
/// operator verbs run as real processes with <see cref="Environment"/>.
/// </summary>
internal sealed class InstanceUnderTest : IAsyncDisposable
{
    public const string ResticPassword = "restic-test-password-never-printed";

    /// <summary>Stored in every user's letters and files: it must never appear in plain text in the repository or in any output.</summary>
    public const string Marker = "PLAINTEXT-MARKER-Zq7Vx";

    private readonly TestDirectory _directory = new("peregrine-dr");

    private InstanceUnderTest(string platform, string secret)
    {
        Platform = platform;
        ServerSecret = secret;
        DataRoot = _directory.Combine("data");
        Repository = _directory.Combine("repository");
        KeyRing = _directory.Combine("keys");
        Directory.CreateDirectory(DataRoot);
        Directory.CreateDirectory(KeyRing);
        File.WriteAllText(Path.Combine(KeyRing, "key-11111111-2222-4333-8444-555555555555.xml"), "<key id=\"11111111-2222-4333-8444-555555555555\"><!-- encrypted at rest --></key>");
    }

    public string Platform { get; }

    public string ServerSecret { get; }

    public string DataRoot { get; }

    public string Repository { get; }

    public string KeyRing { get; }

    public PeregrineApiFactory? Api { get; private set; }

    public static async Task<InstanceUnderTest> CreateAsync(PostgresFixture postgres, string secret = PeregrineApiFactory.ServerSecret) =>
        new(await postgres.CreateDatabaseAsync(), secret);

    public Dictionary<string, string?> Environment(string? previousSecret = null, string? currentSecret = null)
    {
        var environment = OperatorProcess.Environment(DataRoot, currentSecret ?? ServerSecret, previousSecret, Platform);
        environment["RESTIC_REPOSITORY"] = Repository;
        environment["RESTIC_PASSWORD"] = ResticPassword;
        environment["DATA_PROTECTION_KEYS_DIR"] = KeyRing;
        environment["BACKUP_CONCURRENCY"] = "2";
        return environment;
    }

    /// <summary>Starts (or restarts) the Api on this instance's data root and platform DB.</summary>
    public async Task<PeregrineApiFactory> StartApiAsync(string? previousSecret = null)
    {
        await StopApiAsync();
        Api = new PeregrineApiFactory()
            .Configure("CLOUD_DATA_ROOT", DataRoot)
            .Configure("PLATFORM_DB_URL", Platform)
            .Configure("CF_SERVER_SECRET", ServerSecret)
            .Configure("CF_SERVER_SECRET_PREVIOUS", previousSecret);
        await Api.Services.GetRequiredService<PlatformSchema>().Applied.WaitAsync(TimeSpan.FromSeconds(30));
        return Api;
    }

    public async Task StopApiAsync()
    {
        if (Api is not null)
        {
            // A real restore runs on a new host, in new processes: no pooled handle to a file of the lost host survives.
            // Only this instance's own (clearing every pool would close other tests' handles, which run beside these).
            var databases = Api.Services.GetRequiredService<UserDatabases>();
            var options = Api.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value;
            foreach (var user in Directory.EnumerateDirectories(DataRoot).Select(Path.GetFileName).Where(name => Guid.TryParse(name, out _)))
            {
                databases.Evict(CloudUserResolver.ForUser(options, user!).Database);
            }

            await Api.DisposeAsync();
            Api = null;
            NpgsqlConnection.ClearAllPools();
        }
    }

    /// <summary>A user with <paramref name="jobs"/> jobs (one with a letter), a résumé in config/ and a document in data/, through the Api.</summary>
    public async Task<string> CreateUserAsync(int jobs)
    {
        var user = Guid.NewGuid().ToString();
        using var client = Api!.CreateClient(user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        for (var i = 0; i < jobs; i++)
        {
            (await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = $"Engineer {i}", company = "Acme", url = $"https://jobs.example/{user}/{i}", description = $"Role {i}: {new string('d', 400)}" })).EnsureSuccessStatusCode();
        }

        var first = await client.GetFromJsonAsync<List<Dictionary<string, object>>>("/peregrine/api/jobs?status=pending&limit=1");
        var id = first![0]["id"].ToString();
        (await client.PatchAsJsonAsync($"/peregrine/api/jobs/{id}/cover_letter", new { text = $"Dear team, {Marker} letter of {user}" })).EnsureSuccessStatusCode();
        (await client.PostAsync("/peregrine/api/settings/resume/blank", null)).EnsureSuccessStatusCode();
        var data = Path.Combine(DataRoot, user, "peregrine", "data");
        Directory.CreateDirectory(data);
        await File.WriteAllTextAsync(Path.Combine(data, "notes.txt"), $"{Marker} private notes of {user}");
        return user;
    }

    public async Task<NpgsqlConnection> OpenPlatformAsync()
    {
        var connection = new NpgsqlConnection(Platform);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>The host is lost: the data root and the platform DB are gone; an empty DB of the same name is all that is left.</summary>
    public async Task LoseTheHostAsync(PostgresFixture postgres)
    {
        await StopApiAsync();
        Directory.Delete(DataRoot, recursive: true);
        Directory.Delete(KeyRing, recursive: true);
        var database = new NpgsqlConnectionStringBuilder(Platform).Database!;
        await using var admin = await postgres.OpenAsync();
        await using (var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\" WITH (FORCE)", admin))
        {
            await drop.ExecuteNonQueryAsync();
        }

        await using (var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", admin))
        {
            await create.ExecuteNonQueryAsync();
        }
    }

    public Task<ApiProcess.Outcome> RunAsync(params string[] arguments) => OperatorProcess.RunAsync(Environment(), arguments);

    public async ValueTask DisposeAsync()
    {
        await StopApiAsync();
        _directory.Dispose();
    }
}
