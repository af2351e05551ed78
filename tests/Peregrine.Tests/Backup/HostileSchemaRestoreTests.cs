using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

/// <summary>
/// A restored DB's schema is the uploader's text: it must never run in the server. These uploads are crafted with
/// <c>PRAGMA writable_schema</c> so that a table's <c>sql</c> carries extra statements.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class HostileSchemaRestoreTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _attacker = Guid.NewGuid().ToString();
    private readonly string _victim = Guid.NewGuid().ToString();
    private readonly TestDirectory _outside = new("peregrine-outside");
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _client = _factory.CreateClient(_attacker);
        (await _client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        using var victim = _factory.CreateClient(_victim);
        (await victim.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
        _outside.Dispose();
    }

    [Fact]
    public async Task SchemaSqlThatAttachesOtherFilesIsNeverExecuted()
    {
        var outsideFile = _outside.Combine("written-by-upload.db");
        var plantedInVictim = Path.Combine(_factory.UserDirectory(_victim), "config", "planted.db");
        var secrets = _outside.Combine("server-secrets.db");
        using (var connection = new SqliteConnection($"Data Source={secrets};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE secrets(v TEXT); INSERT INTO secrets VALUES ('stolen-secret');";
            command.ExecuteNonQuery();
        }

        // The upload's own job is swapped for the secret row, so a row-count check alone would not notice the theft.
        var payload = $"""
            CREATE TABLE zz(a); COMMIT;
            ATTACH DATABASE '{outsideFile}' AS p KEY ''; CREATE TABLE p.x(y);
            ATTACH DATABASE '{plantedInVictim}' AS q KEY ''; CREATE TABLE q.x(y);
            ATTACH DATABASE '{secrets}' AS s KEY '';
            DELETE FROM main.jobs; INSERT INTO main.jobs (title, url, status) SELECT v, 'https://stolen.example/1', 'pending' FROM s.secrets;
            BEGIN;
            """;
        var database = HostileDatabases.WithSchemaSql("zz", payload, jobs: 1);

        using var response = await UploadAsync(_client, RestorePath, BackupZips.Create(("staging.db", database)));

        Assert.False(File.Exists(outsideFile), "the upload wrote a file outside the data root");
        Assert.False(File.Exists(plantedInVictim), "the upload planted a file in another tenant's tree");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var result = await response.Content.ReadFromJsonAsync<JsonElement>(PeregrineApiFactory.Json);
        Assert.Contains("staging.db: table zz", result.GetProperty("skipped").EnumerateArray().Select(s => s.GetString()));
        var jobs = await _client.GetStringAsync("/peregrine/api/jobs?status=pending");
        Assert.DoesNotContain("stolen-secret", jobs, StringComparison.Ordinal);
        Assert.Contains("Engineer 1", jobs, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TriggersViewsAndUnknownTablesOfAnUploadAreDroppedAndListed()
    {
        var database = BackupZips.PlainDatabase($"""
            {Peregrine.Storage.MigrationSet.Embedded.Migrations[0].Sql}
            INSERT INTO jobs (title, url, status) VALUES ('Kept', 'https://jobs.example/kept', 'pending');
            INSERT INTO background_tasks (task_type, status) VALUES ('scrape', 'running');
            CREATE TABLE notes(body TEXT);
            CREATE VIEW every_job AS SELECT * FROM jobs;
            CREATE TRIGGER no_updates BEFORE UPDATE ON background_tasks BEGIN SELECT RAISE(ABORT, 'frozen'); END;
            CREATE INDEX ix_notes ON notes (body);
            ALTER TABLE jobs ADD COLUMN smuggled TEXT;
            """);

        using var response = await UploadAsync(_client, RestorePath, BackupZips.Create(("staging.db", database)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var skipped = (await response.Content.ReadFromJsonAsync<JsonElement>(PeregrineApiFactory.Json))
            .GetProperty("skipped").EnumerateArray().Select(s => s.GetString()).ToList();
        Assert.Contains("staging.db: table notes", skipped);
        Assert.Contains("staging.db: view every_job", skipped);
        Assert.Contains("staging.db: trigger no_updates", skipped);
        Assert.Contains("staging.db: index ix_notes", skipped);
        Assert.Contains("staging.db: column jobs.smuggled", skipped);
        var location = _factory.UserDatabase(_attacker);
        using var connection = Peregrine.Storage.SqliteDatabase.Open(location.Path, location.Key, pooling: false, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT group_concat(type || ':' || name) FROM sqlite_schema WHERE name IN ('notes', 'every_job', 'no_updates', 'ix_notes');";
        Assert.True(command.ExecuteScalar() is DBNull or null);
        Assert.Equal(1, CountJobs(location));
    }

    [Theory]
    [InlineData("64 KiB pages")]
    [InlineData("an FTS5 table")]
    [InlineData("001_baseline recorded but columns missing")]
    public async Task ValidDatabasesRefusedBeforeNowRestore(string kind)
    {
        var database = kind switch
        {
            "64 KiB pages" => BackupZips.PlainDatabase($"""
                PRAGMA page_size = 65536;
                {Peregrine.Storage.MigrationSet.Embedded.Migrations[0].Sql}
                INSERT INTO jobs (title, url, status) VALUES ('Engineer 1', 'https://jobs.example/1', 'pending');
                """),
            "an FTS5 table" => HostileDatabases.WithFts5(jobs: 1),
            _ => BackupZips.PlainDatabase("""
                CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, company TEXT, url TEXT UNIQUE, status TEXT DEFAULT 'pending');
                CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT);
                INSERT INTO schema_migrations VALUES ('001_baseline', '2026-01-01T00:00:00Z');
                INSERT INTO jobs (title, url, status) VALUES ('Engineer 1', 'https://jobs.example/1', 'pending');
                """),
        };

        using var response = await UploadAsync(_client, RestorePath, BackupZips.Create(("staging.db", database)));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var jobs = await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?status=pending");
        Assert.Equal("Engineer 1", Assert.Single(jobs.EnumerateArray()).GetProperty("title").GetString());
        // A column the upload lacked exists now: the cover letter can be saved.
        var id = jobs[0].GetProperty("id").GetInt64();
        using var save = await _client.PatchAsJsonAsync($"/peregrine/api/jobs/{id}/cover_letter", new { text = "Dear team" });
        Assert.Equal(HttpStatusCode.OK, save.StatusCode);
    }
}
