using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.CloudSeams;
using Peregrine.Storage;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Erasure;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ErasureTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ErasingAnAccountRemovesEveryRowAndFileOfThatUserOnly()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        var other = Guid.NewGuid().ToString();
        await SeedAsync(api, user, events: 3, grants: 2);
        await SeedAsync(api, other, events: 1, grants: 1);
        using var client = api.CreateClient(user);

        var mismatch = await DeleteAccountAsync(client, other);
        var erased = await DeleteAccountAsync(client, user);
        var receipt = await erased.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(user, receipt.GetProperty("user_id").GetString());
        Assert.Equal(new PlatformRows.Counts(1, 1, 3, 2), ReceiptRows(receipt));
        Assert.True(receipt.GetProperty("files_removed").GetInt64() >= 2, "staging.db and resume_keywords.yaml at least");
        Assert.True(receipt.GetProperty("bytes_removed").GetInt64() > 0);
        Assert.True(receipt.GetProperty("verified").GetBoolean());
        await using var connection = await postgres.OpenAsync();
        Assert.Equal(PlatformRows.Empty, await PlatformRows.CountAsync(connection, Guid.Parse(user)));
        Assert.False(Directory.Exists(Path.Combine(api.DataRoot, user)));
        Assert.Equal(new PlatformRows.Counts(1, 1, 1, 1), await PlatformRows.CountAsync(connection, Guid.Parse(other)));
        Assert.Equal(2, CountJobs(api, other));

        // The operator command, run again for the same user, finds nothing left and says so.
        var again = await RunEraseUserAsync(api, user);
        Assert.Equal(0, again.ExitCode);
        var second = JsonDocument.Parse(again.StandardOutput).RootElement;
        Assert.Equal(new PlatformRows.Counts(0, 0, 0, 0), ReceiptRows(second));
        Assert.Equal(0, second.GetProperty("bytes_removed").GetInt64());

        // The next login (a session issued after the erasure) starts from a fresh tree: the old jobs are gone for good.
        using var fresh = api.CreateClientWithCookie($"cf_session={Erasure.ErasureClients.IssuedAfterNow(user)}");
        (await fresh.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        Assert.Equal(0, CountJobs(api, user));
    }

    [Fact]
    public async Task TheOperatorCommandErasesAUserAndPrintsAReceipt()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        await SeedAsync(api, user, events: 1, grants: 1);
        api.Services.GetRequiredService<UserDatabases>().Evict(api.UserDatabase(user));

        var outcome = await RunEraseUserAsync(api, user, "--app", "peregrine");

        Assert.Equal(0, outcome.ExitCode);
        var receipt = JsonDocument.Parse(outcome.StandardOutput).RootElement;
        Assert.Equal(new PlatformRows.Counts(1, 1, 1, 1), ReceiptRows(receipt));
        Assert.False(Directory.Exists(Path.Combine(api.DataRoot, user)));
    }

    [Theory]
    [InlineData("not-a-uuid")]
    [InlineData("../etc")]
    public async Task TheOperatorCommandRefusesABadUserIdInOneLine(string userId)
    {
        await using var api = await PlatformApi.StartAsync(postgres);

        var outcome = await RunEraseUserAsync(api, userId);

        Assert.Equal(2, outcome.ExitCode);
        Assert.Single(outcome.StandardError.Trim().Split('\n'));
        Assert.Empty(outcome.StandardOutput);
    }

    private async Task SeedAsync(PeregrineApiFactory api, string user, int events, int grants)
    {
        using var client = api.CreateClient(user);
        (await client.PutAsJsonAsync("/peregrine/api/settings/privacy", new { content_sharing = true })).EnsureSuccessStatusCode();
        for (var i = 0; i < grants; i++)
        {
            (await client.PostAsJsonAsync("/peregrine/api/settings/privacy/support-access", new { hours = 4 })).EnsureSuccessStatusCode();
        }

        var telemetry = api.Services.GetRequiredService<IUsageTelemetry>();
        for (var i = 0; i < events; i++)
        {
            telemetry.LogUsageEvent(user, "peregrine", "job_applied");
        }

        await UsageTelemetryTests.WaitForSentinelAsync(postgres, telemetry);
        using var db = api.Services.GetRequiredService<UserDatabases>().Open(api.UserDatabase(user));
        using var command = db.CreateCommand();
        command.CommandText = "CREATE TABLE IF NOT EXISTS erasure_probe_jobs (title TEXT); INSERT INTO erasure_probe_jobs VALUES ('Engineer'), ('Designer');";
        command.ExecuteNonQuery();
    }

    private static long CountJobs(PeregrineApiFactory api, string user)
    {
        using var db = api.Services.GetRequiredService<UserDatabases>().Open(api.UserDatabase(user));
        using var command = db.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE name = 'erasure_probe_jobs'";
        return (long)command.ExecuteScalar()! == 0 ? 0 : QueryJobs(db);

        static long QueryJobs(Microsoft.Data.Sqlite.SqliteConnection db)
        {
            using var count = db.CreateCommand();
            count.CommandText = "SELECT count(*) FROM erasure_probe_jobs";
            return (long)count.ExecuteScalar()!;
        }
    }

    private static PlatformRows.Counts ReceiptRows(JsonElement receipt)
    {
        var rows = receipt.GetProperty("platform_rows");
        long Get(string table) => rows.GetProperty(table).GetInt64();
        return new PlatformRows.Counts(Get("subscriptions"), Get("telemetry_consent"), Get("usage_events"), Get("support_access_grants"));
    }

    private static Task<HttpResponseMessage> DeleteAccountAsync(HttpClient client, string confirm) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm }) });

    private Task<ApiProcess.Outcome> RunEraseUserAsync(PeregrineApiFactory api, params string[] arguments) => ApiProcess.RunAsync(
        CloudEnvironment.For(api.DataRoot, postgres.Url),
        TimeSpan.FromSeconds(60),
        ["erase-user", .. arguments]);
}
