using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;
using static Peregrine.Tests.Rotation.RotationData;

namespace Peregrine.Tests.Rotation;

/// <summary>The operator verbs as real processes: what they report, their exit codes, and that they print no content and no secret.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class OperatorCommandsTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>, IDisposable
{
    private readonly TestDirectory _root = new("peregrine-operator");

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task InspectUserShowsTheTreeSchemaKeyTasksAndPlatformRowsButNoContent()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        using (var client = api.CreateClient(user))
        {
            (await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Confidential Cartographer", company = "Acme", url = "https://jobs.example/inspect" })).EnsureSuccessStatusCode();
            (await client.PutAsJsonAsync("/peregrine/api/settings/privacy", new { content_sharing = true })).EnsureSuccessStatusCode();
            (await client.PostAsJsonAsync("/peregrine/api/settings/privacy/support-access", new { hours = 4 })).EnsureSuccessStatusCode();
        }

        var outcome = await OperatorProcess.RunAsync(
            OperatorProcess.Environment(api.DataRoot, PeregrineApiFactory.ServerSecret, platformUrl: postgres.Url), "inspect-user", user);

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var report = JsonDocument.Parse(outcome.StandardOutput).RootElement;
        var app = Assert.Single(report.GetProperty("apps").EnumerateArray());
        Assert.Equal("peregrine", app.GetProperty("app").GetString());
        Assert.Equal(MigrationSet.Embedded.LatestVersion, app.GetProperty("schema_version").GetString());
        Assert.Equal(ServerKeyRing.IdOf(PeregrineApiFactory.ServerSecret), app.GetProperty("key_id").GetString());
        Assert.True(app.GetProperty("key_is_current").GetBoolean());
        var files = app.GetProperty("files").EnumerateArray().ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("bytes").GetInt64());
        Assert.True(files["staging.db"] > 0);
        Assert.Contains(Path.Combine("config", "resume_keywords.yaml"), files.Keys);
        var platform = report.GetProperty("platform");
        Assert.Equal("free", platform.GetProperty("subscription_tier").GetString());
        Assert.True(platform.GetProperty("consent").GetProperty("content_sharing").GetBoolean());
        Assert.Equal(1, platform.GetProperty("active_support_access_grants").GetInt64());
        Assert.DoesNotContain("Cartographer", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(api.UserDatabase(user).Key!.ToHex(), outcome.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(PeregrineApiFactory.ServerSecret, outcome.StandardOutput + outcome.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task VerifyAllListsTheBrokenDbAndExits1()
    {
        var users = CreateUsers(_root.Path, S1, 3, jobs: 200);
        var broken = DatabasePath(_root.Path, users[1]);
        using (var file = File.OpenWrite(broken))
        {
            file.Seek(file.Length / 2, SeekOrigin.Begin);
            file.Write(new byte[8192]);
        }

        var outcome = await OperatorProcess.RunAsync(OperatorProcess.Environment(_root.Path, S1), "verify-all");

        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains($"broken: {users[1]}/peregrine", outcome.StandardOutput, StringComparison.Ordinal);
        Assert.DoesNotContain(users[0], outcome.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("3 checked, 2 ok, 1 broken", outcome.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatsCountsUsersBytesAndDbsPerSchemaVersionAndKeyId()
    {
        CreateUsers(_root.Path, S1, 3, jobs: 2);
        CreateUsers(_root.Path, S2, 1, jobs: 2);

        var outcome = await OperatorProcess.RunAsync(OperatorProcess.Environment(_root.Path, S2, previous: S1), "stats");

        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var stats = JsonDocument.Parse(outcome.StandardOutput).RootElement;
        Assert.Equal(4, stats.GetProperty("users").GetInt32());
        Assert.Equal(4, stats.GetProperty("databases").GetInt32());
        Assert.True(stats.GetProperty("total_bytes").GetInt64() > 4 * 4096);
        Assert.Equal(ServerKeyRing.IdOf(S2), stats.GetProperty("current_key_id").GetString());
        var perKey = stats.GetProperty("databases_per_key_id");
        Assert.Equal(3, perKey.GetProperty(ServerKeyRing.IdOf(S1)).GetInt32());
        Assert.Equal(1, perKey.GetProperty(ServerKeyRing.IdOf(S2)).GetInt32());
        Assert.Equal(4, stats.GetProperty("databases_per_schema_version").GetProperty(MigrationSet.Embedded.LatestVersion!).GetInt32());
    }

    [Fact]
    public async Task MigrateAllBringsEveryDbToTheCurrentSchemaAndARerunFindsNothingToDo()
    {
        var users = CreateUsers(_root.Path, S1, 2, jobs: 2);
        foreach (var user in users)
        {
            // As upstream left a DB: its tables, but no schema tracking and none of the columns only our migrations add.
            using var db = new UserDatabases().Open(User(_root.Path, user, S1).Database);
            db.Execute("DROP TABLE schema_migrations; ALTER TABLE jobs DROP COLUMN matched_keywords; ALTER TABLE jobs DROP COLUMN fetch_error;");
        }

        var environment = OperatorProcess.Environment(_root.Path, S1);
        var first = await OperatorProcess.RunAsync(environment, "migrate-all");
        var second = await OperatorProcess.RunAsync(environment, "migrate-all");

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"migrated (none) -> {MigrationSet.Embedded.LatestVersion}", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("migrate-all: 2 migrated, 0 already current, 0 failed", first.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("migrate-all: 0 migrated, 2 already current, 0 failed", second.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("inspect-user", "not-a-uuid")]
    [InlineData("rekey-all", "--retries", "lots")]
    [InlineData("rekey-all", "--no-such-option")]
    [InlineData("rekey-all", "--retries", "-1")]
    [InlineData("stats", "extra")]
    public async Task BadUsageExits2WithOneLine(params string[] arguments)
    {
        var outcome = await OperatorProcess.RunAsync(OperatorProcess.Environment(_root.Path, S1), arguments);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StandardError.Trim().Split('\n'));
        Assert.Contains($"usage: Peregrine.Api {arguments[0]}", outcome.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HelpListsEveryVerbAndExits0()
    {
        var outcome = await OperatorProcess.RunAsync([], "--help");

        Assert.Equal(0, outcome.ExitCode);
        foreach (var verb in new[] { "erase-user", "rekey-all", "migrate-all", "inspect-user", "verify-all", "stats" })
        {
            Assert.Contains(verb, outcome.StandardOutput, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AVerbInLocalModeExits2()
    {
        var outcome = await OperatorProcess.RunAsync(new Dictionary<string, string?> { ["STAGING_DB"] = Path.Combine(_root.Path, "local.db") }, "verify-all");

        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains("CLOUD_MODE is off", outcome.StandardError, StringComparison.Ordinal);
    }
}
