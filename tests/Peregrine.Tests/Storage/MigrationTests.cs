using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Storage;

[Trait(Category.Name, Category.Unit)]
public sealed class MigrationTests : IDisposable
{
    private static readonly Migration AddNotes = new("999_add_job_notes", "ALTER TABLE jobs ADD COLUMN notes TEXT;");
    private static readonly Migration Broken = new("999_broken", "ALTER TABLE jobs ADD COLUMN half_done TEXT; SELECT * FROM no_such_table;");

    private readonly TestDirectory _dir = new();
    private readonly DatabaseLocation _location;

    public MigrationTests() => _location = new("owner", _dir.Combine("staging.db"), StoreFixtures.NewKey());

    public void Dispose() => _dir.Dispose();

    /// <summary>What a current DB records: a test step numbered 999 comes after every shipped one.</summary>
    private static readonly string[] EmbeddedVersions = [.. MigrationSet.Embedded.Migrations.Select(m => m.Version)];

    private static UserDatabases Process(MigrationSet migrations) => new(new StorageOptions { Migrations = migrations });

    private void CreateAtBaselineWithOneJob()
    {
        using var connection = Process(MigrationSet.Embedded).Open(_location);
        connection.Execute("INSERT INTO jobs (title, url) VALUES ('Engineer', 'https://jobs.example/1');");
    }

    private static IReadOnlyList<string> Versions(SqliteConnection connection) => SchemaMigrator.AppliedVersions(connection);

    private static bool HasColumn(SqliteConnection connection, string column) =>
        connection.ExecuteScalar<long>("SELECT count(*) FROM pragma_table_info('jobs') WHERE name = @column;", new { column }) > 0;

    [Fact]
    public void NewDatabaseHasTheWholeSchemaInWalMode()
    {
        using var connection = Process(MigrationSet.Embedded).Open(_location);

        Assert.Equal(EmbeddedVersions, Versions(connection));
        var tables = connection.Query<string>("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;");
        Assert.Equal(["background_tasks", "company_research", "digest_queue", "interview_notes", "job_contacts", "jobs", "schema_migrations", "survey_responses"], tables);
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode;"));
        Assert.Equal(1L, connection.ExecuteScalar<long>("PRAGMA foreign_keys;"));
    }

    [Fact]
    public void TaskRowsDefaultToQueuedWithAUtcIsoCreationTime()
    {
        using var connection = Process(MigrationSet.Embedded).Open(_location);
        connection.Execute("INSERT INTO background_tasks (task_type) VALUES ('discovery');");

        var (status, createdAt) = connection.QuerySingle<(string, string)>("SELECT status, created_at FROM background_tasks;");
        Assert.Equal("queued", status);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", createdAt);
    }

    [Fact]
    public void DatabaseOneVersionBehindIsMigratedOnOpenKeepingItsData()
    {
        CreateAtBaselineWithOneJob();

        using var connection = Process(MigrationSet.Embedded.With(AddNotes)).Open(_location);

        Assert.Equal([.. EmbeddedVersions, "999_add_job_notes"], Versions(connection));
        Assert.True(HasColumn(connection, "notes"));
        Assert.Equal("Engineer", connection.ExecuteScalar<string>("SELECT title FROM jobs;"));
    }

    [Fact]
    public void MigratingTwiceAppliesNothing()
    {
        var migrations = MigrationSet.Embedded.With(AddNotes);
        using var connection = Process(migrations).Open(_location);

        Assert.Empty(SchemaMigrator.Migrate(connection, migrations, TimeProvider.System));
        using var again = Process(migrations).Open(_location);
        Assert.Equal([.. EmbeddedVersions, "999_add_job_notes"], Versions(again));
    }

    [Fact]
    public void BrokenMigrationLeavesThePreviousVersionAndNamesTheFile()
    {
        CreateAtBaselineWithOneJob();

        var error = Assert.Throws<MigrationFailedException>(() => Process(MigrationSet.Embedded.With(Broken)).Open(_location).Dispose());

        Assert.Equal("999_broken", error.Version);
        Assert.Contains("Migration 999_broken failed", error.Message, StringComparison.Ordinal);
        using var connection = Process(MigrationSet.Embedded).Open(_location);
        Assert.Equal(EmbeddedVersions, Versions(connection));
        Assert.False(HasColumn(connection, "half_done"));
        Assert.Equal(1, StoreFixtures.Count(connection, "jobs"));
    }

    [Fact]
    public void MigrationFilesCanComeFromADirectory()
    {
        File.WriteAllText(_dir.Combine("999_add_job_notes.sql"), AddNotes.Sql);
        File.WriteAllText(_dir.Combine("001_baseline.sql"), MigrationSet.Embedded.Migrations[0].Sql);

        var fromDisk = MigrationSet.FromDirectory(_dir.Path);

        Assert.Equal(["001_baseline", "999_add_job_notes"], fromDisk.Migrations.Select(m => m.Version));
    }

    [Fact]
    public void AnOlderUpstreamFileGainsTheBaselineColumnsItLacksAndKeepsItsRows()
    {
        // What an early upstream install wrote: jobs before the interview columns, tasks before stage/updated_at.
        using (var old = new SqliteConnection($"Data Source={_location.Path};Pooling=False"))
        {
            old.Open();
            old.Execute("""
                CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, company TEXT, url TEXT UNIQUE,
                    source TEXT, location TEXT, is_remote INTEGER DEFAULT 0, salary TEXT, description TEXT,
                    match_score REAL, keyword_gaps TEXT, date_found TEXT, status TEXT DEFAULT 'pending',
                    notion_page_id TEXT, cover_letter TEXT, applied_at TEXT);
                CREATE TABLE background_tasks (id INTEGER PRIMARY KEY AUTOINCREMENT, task_type TEXT NOT NULL,
                    job_id INTEGER DEFAULT 0, params TEXT, status TEXT NOT NULL DEFAULT 'queued', error TEXT,
                    created_at DATETIME DEFAULT (datetime('now')), started_at DATETIME, finished_at DATETIME);
                INSERT INTO jobs (title, url) VALUES ('Engineer', 'https://jobs.example/1');
                INSERT INTO background_tasks (task_type, job_id, status) VALUES ('cover_letter', 1, 'running');
                """);
        }

        using var connection = Process(MigrationSet.Embedded).Open(_location);

        Assert.True(HasColumn(connection, "interview_date"));
        Assert.True(HasColumn(connection, "application_qa"));
        Assert.Equal(("Engineer", (string?)null), connection.QuerySingle<(string, string?)>("SELECT title, interview_date FROM jobs;"));
        Assert.Equal(("failed", "Interrupted by restart"), connection.QuerySingle<(string, string)>("SELECT status, error FROM background_tasks;"));
        Assert.Equal(0, connection.ExecuteScalar<long>("SELECT count(*) FROM pragma_table_info('background_tasks') WHERE name = 'updated_at' AND type = '';"));
    }
}
