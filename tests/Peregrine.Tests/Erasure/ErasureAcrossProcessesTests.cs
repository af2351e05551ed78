using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Erasure;

/// <summary>
/// Erasure seen from a process that did not do it: the operator's <c>erase-user</c> while the service runs, and one
/// app's self-service erasure while another app's API (a second process on the same data root) has the user's DB
/// pooled. Real processes, real Postgres, real encrypted files.
/// </summary>
[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ErasureAcrossProcessesTests(PostgresFixture postgres)
{
    [Fact]
    public async Task TheOperatorCommandWhileTheServiceRunsIsNoticedByTheService()
    {
        using var root = new TestDirectory("erase-live");
        await using var service = await ApiServer.StartAsync(root.Path, ("PLATFORM_DB_URL", postgres.Url));
        var user = Guid.NewGuid().ToString();
        using var stale = ErasureClients.For(service.Address, TestTokens.Session(user));
        await ErasureClients.CreateJobAsync(stale, "peregrine", "Cartographer");
        Assert.Equal(1, await ErasureClients.TotalJobsAsync(stale, "peregrine"));

        var outcome = await ApiProcess.RunAsync(ErasureClients.Environment(root.Path, postgres.Url), TimeSpan.FromSeconds(60), "erase-user", user);
        Assert.Equal(0, outcome.ExitCode);

        // The cookie from before the erasure neither reads the erased rows nor writes into the erased file.
        await ErasureClients.AssertErasedAsync(await stale.GetAsync("/peregrine/api/jobs/counts"));
        await ErasureClients.AssertErasedAsync(await stale.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Ghost", url = "https://jobs.example/ghost" }));
        await ErasureClients.AssertErasedAsync(await stale.GetAsync("/peregrine/api/session"));
        Assert.False(Directory.Exists(Path.Combine(root.Path, user)), "the erased tree was recreated");

        // A new sign-in starts from an empty account, not from the file that was erased.
        using var fresh = ErasureClients.For(service.Address, ErasureClients.IssuedAfterNow(user));
        Assert.Equal(0, await ErasureClients.TotalJobsAsync(fresh, "peregrine"));
    }

    [Fact]
    public async Task AnErasureThroughOneAppIsNoticedByAnotherAppsProcess()
    {
        using var root = new TestDirectory("erase-apps");
        await using var peregrine = await ApiServer.StartAsync(root.Path, ("PLATFORM_DB_URL", postgres.Url));
        await using var falcon = await ApiServer.StartAsync(root.Path, ("PLATFORM_DB_URL", postgres.Url), ("PEREGRINE_APP", "falcon"));
        var user = Guid.NewGuid().ToString();
        var token = TestTokens.Session(user);
        using var inPeregrine = ErasureClients.For(peregrine.Address, token);
        using var inFalcon = ErasureClients.For(falcon.Address, token);
        await ErasureClients.CreateJobAsync(inPeregrine, "peregrine", "Cartographer");
        await ErasureClients.CreateJobAsync(inFalcon, "falcon", "Falconer");

        using var erased = await inFalcon.SendAsync(new HttpRequestMessage(HttpMethod.Delete, "/falcon/api/account") { Content = JsonContent.Create(new { confirm = user }) });

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.True((await erased.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("verified").GetBoolean());
        await ErasureClients.AssertErasedAsync(await inPeregrine.GetAsync("/peregrine/api/jobs/counts"));
        await ErasureClients.AssertErasedAsync(await inPeregrine.PostAsJsonAsync("/peregrine/api/jobs", new { title = "Ghost", url = "https://jobs.example/ghost" }));
        await ErasureClients.AssertErasedAsync(await inFalcon.GetAsync("/falcon/api/jobs/counts"));
        Assert.False(Directory.Exists(Path.Combine(root.Path, user)), "the erased tree was recreated");

        using var fresh = ErasureClients.For(peregrine.Address, ErasureClients.IssuedAfterNow(user));
        Assert.Equal(0, await ErasureClients.TotalJobsAsync(fresh, "peregrine"));
    }
}

/// <summary>What the erasure tests do over HTTP, in one place.</summary>
internal static class ErasureClients
{
    public static HttpClient For(Uri address, string token) => SignedIn.To(address, token);

    /// <summary>A sign-in after the erasure: <c>iat</c> is compared with the erasure time, and is whole seconds.</summary>
    public static string IssuedAfterNow(string user) => TestTokens.Sign(TestTokens.SessionClaims(user, DateTimeOffset.UtcNow.AddSeconds(2)));

    public static async Task CreateJobAsync(HttpClient client, string app, string title)
    {
        using var response = await client.PostAsJsonAsync($"/{app}/api/jobs", new { title, url = $"https://jobs.example/{Guid.NewGuid():N}" });
        response.EnsureSuccessStatusCode();
    }

    public static async Task<long> TotalJobsAsync(HttpClient client, string app)
    {
        using var response = await client.GetAsync($"/{app}/api/jobs/counts");
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("total").GetInt64();
    }

    public static async Task AssertErasedAsync(HttpResponseMessage response)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("erased", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        }
    }

    public static Dictionary<string, string?> Environment(string dataRoot, string platformUrl) => CloudEnvironment.For(dataRoot, platformUrl);
}
