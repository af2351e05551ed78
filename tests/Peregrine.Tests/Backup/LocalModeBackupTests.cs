using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

/// <summary>Self-hosted mode: no session, one plain DB in the <c>STAGING_DB</c> folder, upstream's manifest unredacted.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class LocalModeBackupTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly PeregrineApiFactory _factory = new();
    private string _stagingDb = null!;
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        _stagingDb = _factory.Scratch.Combine("local", "staging.db");
        _factory.Configure("CLOUD_MODE", "false").Configure("STAGING_DB", _stagingDb);
        _client = _factory.CreateAnonymousClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<long> TotalJobsAsync()
    {
        var counts = await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts", PeregrineApiFactory.Json).WaitAsync(Timeout);
        return counts.GetProperty("total").GetInt64();
    }

    [Fact]
    public async Task ExportIsPlainSqliteWithTheJobsAndNamesTheRealFolder()
    {
        for (var i = 0; i < 3; i++)
        {
            var created = await _client.PostAsJsonAsync(
                "/peregrine/api/jobs",
                new { title = $"Engineer {i}", company = "Acme", url = $"https://jobs.example/local/{i}", description = "Builds things." },
                PeregrineApiFactory.Json).WaitAsync(Timeout);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        }

        var zip = await _client.GetByteArrayAsync(BackupPath).WaitAsync(Timeout);

        var exported = _factory.Scratch.Combine("exported.db");
        await File.WriteAllBytesAsync(exported, ReadEntry(zip, "staging.db"));
        Assert.True(HasPlainHeader(exported));
        Assert.Equal(
            "Engineer 0|https://jobs.example/local/0\nEngineer 1|https://jobs.example/local/1\nEngineer 2|https://jobs.example/local/2",
            await Sqlite3Async(exported, "SELECT title, url FROM jobs ORDER BY url;"));
        var manifest = JsonDocument.Parse(ReadEntry(zip, "backup-manifest.json")).RootElement;
        Assert.Equal(Path.GetDirectoryName(_stagingDb), manifest.GetProperty("source_path").GetString());
        Assert.True(manifest.GetProperty("includes_db").GetBoolean());
    }

    [Fact]
    public async Task UpstreamLayoutRestoresIntoThePlainLocalDatabase()
    {
        Assert.Equal(0, await TotalJobsAsync()); // provisions the local tree and its plain DB
        var zip = BackupZips.Create(
            ("config/user.yaml", BackupZips.Text("name: Local User\n")),
            ("data/staging.db", BackupZips.UpstreamDatabase(jobs: 40)),
            ("backup-manifest.json", BackupZips.Text(BackupZips.UpstreamManifest("config/user.yaml", "data/staging.db"))));

        using var restore = await UploadAsync(_client, RestorePath, zip).WaitAsync(Timeout);

        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(40, await TotalJobsAsync());
        Assert.True(HasPlainHeader(_stagingDb), "local mode never encrypts");
        Assert.Equal("40", await Sqlite3Async(_stagingDb, "SELECT count(*) FROM jobs;"));
        var folder = Path.GetDirectoryName(_stagingDb)!;
        Assert.Equal("name: Local User\n", await File.ReadAllTextAsync(Path.Combine(folder, "config", "user.yaml")));
        Assert.False(File.Exists(Path.Combine(folder, "data", "staging.db")), "the legacy path maps to STAGING_DB");
    }
}
