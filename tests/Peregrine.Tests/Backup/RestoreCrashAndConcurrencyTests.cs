using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Backup.BackupTestSupport;

namespace Peregrine.Tests.Backup;

[Trait(Category.Name, Category.Service)]
public sealed class RestoreCrashAndConcurrencyTests
{

    [Fact]
    public async Task KilledAfterTheTempDbIsWrittenLeavesTheOldDbAndTheNextOpenCleansUp()
    {
        using var data = new TestDirectory();
        var user = Guid.NewGuid().ToString();
        var database = new DatabaseLocation(user, Path.Combine(data.Path, user, "peregrine", "staging.db"), DatabaseKey.Derive(ApiServer.ServerSecret, user));
        await using (var server = await ApiServer.StartAsync(data.Path, ("PEREGRINE_FAULT", "restore-before-swap")))
        {
            using var client = server.CreateClient(user);
            (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
            SeedJobs(database, 10);

            var upload = BackupZips.Create(("staging.db", BackupZips.UpstreamDatabase(jobs: 500)));
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => UploadAsync(client, RestorePath, upload));
            Assert.True(await server.WaitForExitAsync(TimeSpan.FromSeconds(30)), "the fault point killed the server");
        }

        Assert.Equal(10, CountJobs(database));
        var directory = Path.GetDirectoryName(database.Path)!;
        Assert.NotEmpty(Directory.GetFileSystemEntries(directory, "staging.db.tmp-*"));

        using (new UserDatabases().Open(database))
        {
        }

        Assert.Empty(Directory.GetFileSystemEntries(directory, "staging.db.tmp-*"));
        Assert.Equal(10, CountJobs(database));
    }

    [Fact]
    public async Task RestoreWhileAnExportStreamsIsRefusedAndOtherUsersAreUnaffected()
    {
        await using var factory = new PeregrineApiFactory();
        string alice = Guid.NewGuid().ToString(), bob = Guid.NewGuid().ToString();
        using var aliceClient = factory.CreateClient(alice);
        using var bobClient = factory.CreateClient(bob);
        (await aliceClient.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        (await bobClient.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        SeedJobs(factory.UserDatabase(alice), 20_000); // a zip larger than the test server's pipe, so the export stays open
        var upload = BackupZips.Create(("staging.db", BackupZips.UpstreamDatabase(jobs: 7)));

        using (var export = await aliceClient.GetAsync(BackupPath, HttpCompletionOption.ResponseHeadersRead))
        {
            Assert.Equal(HttpStatusCode.OK, export.StatusCode);

            using var refused = await UploadAsync(aliceClient, RestorePath, upload);
            using var unaffected = await UploadAsync(bobClient, RestorePath, upload);

            Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
            Assert.Equal(HttpStatusCode.OK, unaffected.StatusCode);
        }

        var counts = await bobClient.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        Assert.Equal(7, counts.GetProperty("total").GetInt64());
        Assert.Equal(20_000, CountJobs(factory.UserDatabase(alice)));
    }

    [Fact]
    public async Task ConcurrentRestoresOfOneUserEndIn200Or409AndAConsistentDb()
    {
        await using var factory = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = factory.CreateClient(user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        var upload = BackupZips.Create(("staging.db", BackupZips.UpstreamDatabase(jobs: 3000)));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => UploadAsync(client, RestorePath, upload)))
            .WaitAsync(TimeSpan.FromSeconds(120));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.OK, HttpStatusCode.Conflict }));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(3000, CountJobs(factory.UserDatabase(user)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }
}
