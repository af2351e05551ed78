using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Peregrine.Storage;
using Peregrine.Tests.Backup;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Errors;

/// <summary>
/// A user's DB that cannot be opened (damaged, or one whose preparation fails) must not lock its owner out: the
/// account's own routes work, data routes answer a problem that says what to do.
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class BrokenUserDatabaseTests(PostgresFixture postgres)
{
    public static TheoryData<string> Breakages => ["a trigger that aborts failing interrupted tasks", "a damaged file"];

    [Theory]
    [MemberData(nameof(Breakages))]
    public async Task ABrokenDbLeavesConfigSessionRestoreAndErasureWorking(string breakage)
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var restoring = Guid.NewGuid().ToString();
        var erasing = Guid.NewGuid().ToString();
        Break(api.UserDatabase(restoring), breakage);
        Break(api.UserDatabase(erasing), breakage);

        using var client = api.CreateClient(restoring);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/peregrine/api/config/app")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/peregrine/api/session")).StatusCode);
        using (var jobs = await client.GetAsync("/peregrine/api/jobs?status=pending"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, jobs.StatusCode);
            Assert.Equal("application/problem+json", jobs.Content.Headers.ContentType?.MediaType);
            var problem = await jobs.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Contains("restore a backup", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(api.DataRoot, problem.GetRawText(), StringComparison.Ordinal);
        }

        var backup = BackupZips.Create(("staging.db", BackupZips.UpstreamDatabase(jobs: 2)));
        using (var restore = await BackupTestSupport.UploadAsync(client, BackupTestSupport.RestorePath, backup))
        {
            Assert.Equal(HttpStatusCode.OK, restore.StatusCode);
        }

        var counts = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        Assert.Equal(2, counts.GetProperty("total").GetInt64());

        using var owner = api.CreateClient(erasing);
        using var erase = await owner.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account")
        {
            Content = JsonContent.Create(new { confirm = erasing }),
        });
        Assert.Equal(HttpStatusCode.OK, erase.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(api.DataRoot, erasing)));
    }

    /// <summary>Places the broken file before the user's first request, as a restart would find it.</summary>
    private static void Break(DatabaseLocation database, string breakage)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(database.Path)!);
        if (breakage == "a damaged file")
        {
            using (var connection = SqliteDatabase.Open(database.Path, database.Key, pooling: false))
            {
                connection.Execute(MigrationSet.Embedded.Migrations[0].Sql);
            }

            BackupTestSupport.SeedJobs(database, 2000);
            var bytes = File.ReadAllBytes(database.Path);
            Array.Fill(bytes, (byte)0x5A, 4096, bytes.Length - 8192);
            File.WriteAllBytes(database.Path, bytes);
            return;
        }

        // The service's own form and key, so no conversion drops the trigger: only a file the service wrote gets here.
        using var keyed = SqliteDatabase.Open(database.Path, database.Key, pooling: false);
        SchemaMigrator.Migrate(keyed, MigrationSet.Embedded, TimeProvider.System);
        keyed.Execute("""
            INSERT INTO background_tasks (task_type, status) VALUES ('discovery', 'running');
            CREATE TRIGGER frozen BEFORE UPDATE ON background_tasks BEGIN SELECT RAISE(ABORT, 'frozen'); END;
            """);
    }
}
