using System.Net.Http.Json;
using Dapper;
using Peregrine.Backup;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Erasure;

/// <summary>An erasure killed half way (after its transaction, before its files went) is finished, not forgotten.</summary>
[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ErasureCrashTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AnErasureKilledAfterItsTransactionIsFinishedByTheNextStart()
    {
        using var root = new TestDirectory("erase-crash");
        var user = Guid.NewGuid().ToString();
        var token = TestTokens.Session(user);
        await using (var doomed = await ApiServer.StartAsync(root.Path, ("PLATFORM_DB_URL", postgres.Url), (FaultInjection.Variable, FaultInjection.ErasureAfterCommit)))
        {
            using var client = ErasureClients.For(doomed.Address, token);
            await ErasureClients.CreateJobAsync(client, "peregrine", "Doomed");
            await Assert.ThrowsAnyAsync<HttpRequestException>(() =>
                client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm = user }) }));
            Assert.True(await doomed.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        // What the kill left: no tree at its path, the tree moved aside, the erasure recorded.
        Assert.False(Directory.Exists(Path.Combine(root.Path, user)));
        Assert.True(Directory.Exists(Path.Combine(root.Path, ".erasing-" + user)));
        await using (var connection = await postgres.OpenAsync())
        {
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM account_erasures WHERE user_id = @id", new { id = Guid.Parse(user) }));
            Assert.Equal(PlatformRows.Empty, await PlatformRows.CountAsync(connection, Guid.Parse(user)));
        }

        await using var restarted = await ApiServer.StartAsync(root.Path, ("PLATFORM_DB_URL", postgres.Url));
        // The restarted service finishes the interrupted erasure by itself.
        await Eventually.UntilAsync(() => !Directory.Exists(Path.Combine(root.Path, ".erasing-" + user)), TimeSpan.FromSeconds(30));
        using var stale = ErasureClients.For(restarted.Address, token);
        await ErasureClients.AssertErasedAsync(await stale.GetAsync("/peregrine/api/jobs/counts"));
        using var fresh = ErasureClients.For(restarted.Address, ErasureClients.IssuedAfterNow(user));
        Assert.Equal(0, await ErasureClients.TotalJobsAsync(fresh, "peregrine"));
    }
}
