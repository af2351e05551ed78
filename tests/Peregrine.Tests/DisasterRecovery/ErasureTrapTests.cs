using System.Net;
using System.Net.Http.Json;
using Dapper;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Rotation;

namespace Peregrine.Tests.DisasterRecovery;

/// <summary>A restore never brings back an account erased after the snapshot, and never erases more than was erased.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class ErasureTrapTests(PostgresFixture postgres) : IClassFixture<PostgresFixture>
{
    [Fact]
    public async Task AUserErasedAfterTheSnapshotStaysErasedAfterARestore()
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres);
        var api = await instance.StartApiAsync();
        var kept = await instance.CreateUserAsync(jobs: 2);
        var erased = await instance.CreateUserAsync(jobs: 2);

        // Erased and back before the snapshot: the new, empty account is what the snapshot holds, and it must stay.
        var returning = await instance.CreateUserAsync(jobs: 1);
        using (var client = api.CreateClient(returning))
        {
            (await DeleteAccountAsync(client, returning)).EnsureSuccessStatusCode();
        }

        await Task.Delay(TimeSpan.FromSeconds(1.1)); // a session token's issue time has whole seconds
        using (var client = api.CreateClient(returning))
        {
            (await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "After coming back", company = "Acme", url = "https://jobs.example/back" })).EnsureSuccessStatusCode();
        }

        var backup = await instance.RunAsync("backup-all");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        Assert.Contains("1 erasure(s) shipped", backup.StandardOutput, StringComparison.Ordinal);

        var sessionBeforeErasure = $"cf_session={TestTokens.Sign(TestTokens.SessionClaims(erased, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-1)))}";
        using (var client = api.CreateClient(erased))
        {
            (await DeleteAccountAsync(client, erased)).EnsureSuccessStatusCode();
        }

        var ship = await instance.RunAsync("ship-erasures");
        Assert.True(ship.ExitCode == 0, ship.ToString());
        Assert.Contains("ship-erasures: 1 erasure(s) shipped", ship.StandardOutput, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(instance.DataRoot, ".instance-backup", "snapshot", "users", erased)), "the erased user's staged copy outlived the erasure");

        await instance.LoseTheHostAsync(postgres);
        var restore = await instance.RunAsync("restore-all");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        Assert.Contains("2 trees restored, 1 withheld", restore.StandardOutput, StringComparison.Ordinal);

        Assert.False(Directory.Exists(Path.Combine(instance.DataRoot, erased)));
        Assert.True(Directory.Exists(Path.Combine(instance.DataRoot, kept, "peregrine")));
        Assert.True(Directory.Exists(Path.Combine(instance.DataRoot, returning, "peregrine")));
        await using (var platform = await instance.OpenPlatformAsync())
        {
            Assert.Equal(0, await platform.ExecuteScalarAsync<long>("SELECT count(*) FROM subscriptions WHERE user_id = @id", new { id = Guid.Parse(erased) }));
            Assert.Equal(1, await platform.ExecuteScalarAsync<long>("SELECT count(*) FROM account_erasures WHERE user_id = @id", new { id = Guid.Parse(erased) }));
            Assert.Equal(1, await platform.ExecuteScalarAsync<long>("SELECT count(*) FROM subscriptions WHERE user_id = @id", new { id = Guid.Parse(returning) }));
        }

        // The erased user's old session is refused; the others' sessions work.
        api = await instance.StartApiAsync();
        using (var client = api.CreateClientWithCookie(sessionBeforeErasure))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/peregrine/api/jobs")).StatusCode);
        }

        using (var client = api.CreateClient(returning))
        {
            var jobs = await client.GetFromJsonAsync<List<Dictionary<string, object>>>("/peregrine/api/jobs?status=pending");
            Assert.Equal("After coming back", Assert.Single(jobs!)["title"].ToString());
        }

        Assert.False(Directory.Exists(Path.Combine(instance.DataRoot, erased)));
    }

    [Fact]
    public async Task ASnapshotTakenBeforeARotationRestoresThroughThePreviousSecretAndNotWithoutIt()
    {
        await using var instance = await InstanceUnderTest.CreateAsync(postgres, RotationData.S1);
        await instance.StartApiAsync();
        var user = await instance.CreateUserAsync(jobs: 2);
        var backup = await instance.RunAsync("backup-all");
        Assert.True(backup.ExitCode == 0, backup.ToString());
        await instance.LoseTheHostAsync(postgres);

        // CF_SERVER_SECRET was rotated after the snapshot: without the old secret the restore refuses before placing anything.
        var refused = await OperatorProcess.RunAsync(instance.Environment(currentSecret: RotationData.S2), "restore-all");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(Peregrine.Storage.ServerKeyRing.IdOf(RotationData.S1), refused.StandardError, StringComparison.Ordinal);
        Assert.Contains("CF_SERVER_SECRET_PREVIOUS", refused.StandardError, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(instance.DataRoot, user)));

        var restore = await OperatorProcess.RunAsync(instance.Environment(previousSecret: RotationData.S1, currentSecret: RotationData.S2), "restore-all");
        Assert.True(restore.ExitCode == 0, restore.ToString());
        var verify = await OperatorProcess.RunAsync(instance.Environment(previousSecret: RotationData.S1, currentSecret: RotationData.S2), "verify-all");
        Assert.True(verify.ExitCode == 0, verify.ToString());
        var rekey = await OperatorProcess.RunAsync(instance.Environment(previousSecret: RotationData.S1, currentSecret: RotationData.S2), "rekey-all");
        Assert.True(rekey.ExitCode == 0, rekey.ToString());
        Assert.Equal(2, RotationData.JobsWithStockSqlCipher(RotationData.DatabasePath(instance.DataRoot, user), RotationData.S2, user));
    }

    private static Task<HttpResponseMessage> DeleteAccountAsync(HttpClient client, string confirm) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm }) });
}
