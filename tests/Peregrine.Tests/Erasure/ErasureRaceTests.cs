using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Erasure;

/// <summary>Self-service erasure while the same user's requests are running in the same process.</summary>
[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ErasureRaceTests(PostgresFixture postgres)
{
    [Fact]
    public async Task AnErasureRacingInFlightWritesIsCompleteVerifiedAndStaysDone()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        await ErasureClients.CreateJobAsync(client, "peregrine", "Seed");
        (await client.PutAsJsonAsync("/peregrine/api/settings/privacy", new { content_sharing = true })).EnsureSuccessStatusCode();

        using var stop = new CancellationTokenSource();
        var statuses = new System.Collections.Concurrent.ConcurrentBag<HttpStatusCode>();
        var writers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested && i < 200; i++)
            {
                using var response = await client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Racer", url = $"https://jobs.example/{w}/{i}" });
                statuses.Add(response.StatusCode);
            }
        })).ToList();
        await Task.Delay(300);

        using var erased = await client.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm = user }) });
        var receipt = await erased.Content.ReadAsStringAsync();
        // Requests still in flight after the erasure must not bring anything back.
        await Task.Delay(500);
        await stop.CancelAsync();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.True(erased.StatusCode == HttpStatusCode.OK, $"erasure answered {(int)erased.StatusCode}: {receipt}");
        Assert.True(JsonDocument.Parse(receipt).RootElement.GetProperty("verified").GetBoolean());
        Assert.DoesNotContain(statuses, s => (int)s >= 500);
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.Created, HttpStatusCode.Unauthorized }));
        Assert.False(Directory.Exists(Path.Combine(api.DataRoot, user)), "in-flight writes recreated the erased tree");
        await using var connection = await postgres.OpenAsync();
        Assert.Equal(PlatformRows.Empty, await PlatformRows.CountAsync(connection, Guid.Parse(user)));

        // The response also ends the browser's session.
        Assert.Contains(erased.Headers.GetValues("Set-Cookie"), c => c.StartsWith("cf_session=;", StringComparison.Ordinal) && c.Contains("expires=", StringComparison.OrdinalIgnoreCase));
        await ErasureClients.AssertErasedAsync(await client.GetAsync("/peregrine/api/session"));
    }

    [Fact]
    public async Task AfterAnErasureAnOldTokenIsRefusedAndANewSignInStartsFresh()
    {
        await using var api = await PlatformApi.StartAsync(postgres);
        var user = Guid.NewGuid().ToString();
        using var old = api.CreateClient(user);
        await ErasureClients.CreateJobAsync(old, "peregrine", "Before");

        using var erased = await old.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm = user }) });
        erased.EnsureSuccessStatusCode();

        await ErasureClients.AssertErasedAsync(await old.GetAsync("/peregrine/api/jobs/counts"));
        Assert.False(Directory.Exists(Path.Combine(api.DataRoot, user)));
        using var fresh = api.CreateClientWithCookie($"cf_session={ErasureClients.IssuedAfterNow(user)}");
        Assert.Equal(0, await ErasureClients.TotalJobsAsync(fresh, "peregrine"));
        await using var connection = await postgres.OpenAsync();
        Assert.Equal(1, (await PlatformRows.CountAsync(connection, Guid.Parse(user))).Subscriptions);

        // The old (say, stolen) cookie cannot erase the new account either.
        await ErasureClients.AssertErasedAsync(await old.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/peregrine/api/account") { Content = JsonContent.Create(new { confirm = user }) }));
        Assert.True(Directory.Exists(Path.Combine(api.DataRoot, user)));
        Assert.Equal(1, (await PlatformRows.CountAsync(connection, Guid.Parse(user))).Subscriptions);
    }
}
