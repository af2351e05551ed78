using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

[Trait(Category.Name, Category.Service)]
public sealed class BackupRoundTripTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient(_user);
        (await _client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode(); // first login provisions the tree
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<long> CountJobsThroughApiAsync()
    {
        var counts = await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        return counts.GetProperty("total").GetInt64();
    }

    [Fact]
    public async Task ExportIsPortablePlainSqliteAndRestoreBringsEveryJobBackEncrypted()
    {
        var database = _factory.UserDatabase(_user);
        SeedJobs(database, 1000);
        await File.WriteAllTextAsync(Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml"), "name: Test User\n");

        using var export = await _client.GetAsync(BackupPath);
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/zip", export.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^peregrine-backup-\d{8}-\d{6}\.zip$", export.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var zip = await export.Content.ReadAsByteArrayAsync();

        using var scratch = new TestDirectory();
        var exported = scratch.Combine("exported.db");
        await File.WriteAllBytesAsync(exported, ReadEntry(zip, "staging.db"));
        Assert.Equal("1000", await Sqlite3Async(exported, "SELECT count(*) FROM jobs;"));

        var manifest = JsonDocument.Parse(ReadEntry(zip, "backup-manifest.json")).RootElement;
        Assert.Equal("(redacted)", manifest.GetProperty("source_path").GetString());
        Assert.Equal("peregrine", manifest.GetProperty("source").GetString());
        Assert.True(manifest.GetProperty("includes_db").GetBoolean());
        Assert.Equal(["config/resume_keywords.yaml", "config/user.yaml", "staging.db"], manifest.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).Order());
        Assert.Equal(
            Convert.ToHexStringLower(SHA256.HashData(ReadEntry(zip, "staging.db"))),
            manifest.GetProperty("sha256").GetProperty("staging.db").GetString());
        Assert.False(string.IsNullOrEmpty(manifest.GetProperty("schema_version").GetString()));

        (await _client.PostAsJsonAsync("/peregrine/api/jobs/purge", new { statuses = new[] { "pending" } })).EnsureSuccessStatusCode();
        Assert.Equal(0, await CountJobsThroughApiAsync());

        using var restore = await UploadAsync(_client, RestorePath, zip);
        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        var result = await restore.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("staging.db", result.GetProperty("restored").EnumerateArray().Select(e => e.GetString()));

        Assert.Equal(1000, await CountJobsThroughApiAsync());
        Assert.False(HasPlainHeader(database.Path), "the restored DB is encrypted again");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database.Path));
        Assert.Equal(1000, CountJobs(database));
    }

    [Fact]
    public async Task UpstreamLocalLayoutRestoresIntoACloudUser()
    {
        var zip = BackupZips.Create(
            ("config/user.yaml", BackupZips.Text("name: Upstream User\n")),
            ("data/staging.db", BackupZips.UpstreamDatabase(jobs: 25)),
            ("backup-manifest.json", BackupZips.Text(BackupZips.UpstreamManifest("config/user.yaml", "data/staging.db"))));

        using var restore = await UploadAsync(_client, RestorePath, zip);

        Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        Assert.Equal(25, await CountJobsThroughApiAsync());
        var userDirectory = _factory.UserDirectory(_user);
        Assert.Equal("name: Upstream User\n", await File.ReadAllTextAsync(Path.Combine(userDirectory, "config", "user.yaml")));
        Assert.False(HasPlainHeader(_factory.UserDatabase(_user).Path));
        Assert.False(File.Exists(Path.Combine(userDirectory, "data", "staging.db")), "the legacy path maps to the canonical DB");
    }

    [Fact]
    public async Task ExportWithoutDbAndRestoreWithoutOverwriteKeepWhatTheUserAsked()
    {
        var config = Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml");
        await File.WriteAllTextAsync(config, "name: Kept\n");
        var zip = await _client.GetByteArrayAsync(BackupPath + "?include_db=false");
        var manifest = JsonDocument.Parse(ReadEntry(zip, "backup-manifest.json")).RootElement;
        Assert.False(manifest.GetProperty("includes_db").GetBoolean());
        Assert.DoesNotContain("staging.db", manifest.GetProperty("files").EnumerateArray().Select(f => f.GetString()));

        var upload = BackupZips.Create(("config/user.yaml", BackupZips.Text("name: Replaced\n")), ("config/llm.yaml", BackupZips.Text("backends: {}\n")));
        using var restore = await UploadAsync(_client, RestorePath, upload, ("overwrite", "false"));

        var result = await restore.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["config/llm.yaml", "config/user.yaml"], result.GetProperty("skipped").EnumerateArray().Select(e => e.GetString()!).Order());
        Assert.Equal("name: Kept\n", await File.ReadAllTextAsync(config));
        Assert.False(File.Exists(Path.Combine(_factory.UserDirectory(_user), "config", "llm.yaml")), "cloud never restores the platform's llm.yaml");
    }

    [Fact]
    public async Task InspectListsAnArchiveWithoutWritingAnything()
    {
        var before = Fingerprint(_factory.DataRoot);
        var zip = BackupZips.Create(("config/user.yaml", BackupZips.Text("name: x\n")), ("backup-manifest.json", BackupZips.Text(BackupZips.UpstreamManifest("config/user.yaml"))));

        using var response = await UploadAsync(_client, BackupPath + "/inspect", zip);

        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var listing = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(["config/user.yaml"], listing.GetProperty("files").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(8, listing.GetProperty("sizes").GetProperty("config/user.yaml").GetInt64());
        Assert.Equal(8, listing.GetProperty("total_bytes").GetInt64());
        Assert.Equal("peregrine", listing.GetProperty("manifest").GetProperty("source").GetString());
        Assert.Equal(before, Fingerprint(_factory.DataRoot));
    }
}
