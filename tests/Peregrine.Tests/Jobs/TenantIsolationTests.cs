using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Storage;

namespace Peregrine.Tests.Jobs;

/// <summary>Cloud mode: each user's requests reach only their own encrypted file.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class TenantIsolationTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _alice = Guid.NewGuid().ToString();
    private readonly string _bob = Guid.NewGuid().ToString();

    public Task InitializeAsync()
    {
        // Alice's task must still be queued when Bob tries to cancel it.
        _factory.Configure("Tasks:MaxConcurrency", "0");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task CanOnlyReachJobsAndTasksOfTheSameUser()
    {
        var alice = _factory.CreateClient(_alice);
        var bob = _factory.CreateClient(_bob);
        var id = await JobsApiTests.CreateJob(alice, "https://jobs.example/alice");
        await alice.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls = new[] { "https://jobs.example/alice-2" } });
        var aliceTask = (await alice.GetFromJsonAsync<JsonElement>("/peregrine/api/tasks"))[0].GetProperty("id").GetInt64();

        var attempts = new Func<Task<HttpResponseMessage>>[]
        {
            () => bob.GetAsync($"/peregrine/api/jobs/{id}"),
            () => bob.PostAsync($"/peregrine/api/jobs/{id}/approve", null),
            () => bob.PostAsync($"/peregrine/api/jobs/{id}/reject", null),
            () => bob.PostAsJsonAsync($"/peregrine/api/jobs/{id}/revert", new { status = "pending" }),
            () => bob.PostAsync($"/peregrine/api/jobs/{id}/applied", null),
            () => bob.PostAsJsonAsync($"/peregrine/api/jobs/{id}/move", new { status = "offer" }),
            () => bob.PatchAsJsonAsync($"/peregrine/api/jobs/{id}/cover_letter", new { text = "mine now" }),
            () => bob.GetAsync($"/peregrine/api/jobs/{id}/cover_letter/task"),
            () => bob.DeleteAsync($"/peregrine/api/tasks/{aliceTask}"),
        };
        foreach (var attempt in attempts)
        {
            var response = await attempt();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }

        // Bulk endpoints act on Bob's file only.
        Assert.Equal(0, (await JobsApiTests.Json(await bob.PostAsJsonAsync("/peregrine/api/jobs/archive", new { statuses = new[] { "pending" } }))).GetProperty("archived").GetInt64());
        Assert.Equal(0, (await JobsApiTests.Json(await bob.PostAsJsonAsync("/peregrine/api/jobs/purge", new { }))).GetProperty("deleted").GetInt64());
        Assert.Equal(0, (await JobsApiTests.Json(await bob.PostAsync("/peregrine/api/tasks/kill", null))).GetProperty("killed").GetInt64());
        Assert.Equal(0, (await bob.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64());
        Assert.Empty((await bob.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs")).EnumerateArray());
        Assert.Empty((await bob.GetFromJsonAsync<JsonElement>("/peregrine/api/tasks")).EnumerateArray());

        var untouched = await alice.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{id}");
        Assert.Equal("pending", untouched.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, untouched.GetProperty("cover_letter").ValueKind);
        Assert.Equal(2, (await alice.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task ConcurrentWritersOnOneUserNeverSeeBusyErrors()
    {
        var alice = _factory.CreateClient(_alice);
        var ids = new List<long>();
        for (var i = 0; i < 8; i++)
        {
            ids.Add(await JobsApiTests.CreateJob(alice, $"https://jobs.example/c{i}"));
        }

        var writers = Enumerable.Range(0, 32).Select(async n =>
        {
            var id = ids[n % ids.Count];
            var statuses = new List<HttpStatusCode>();
            for (var round = 0; round < 5; round++)
            {
                var response = ((n + round) % 3) switch
                {
                    0 => await alice.PostAsync($"/peregrine/api/jobs/{id}/approve", null),
                    1 => await alice.PostAsync($"/peregrine/api/jobs/{id}/reject", null),
                    _ => await alice.PatchAsJsonAsync($"/peregrine/api/jobs/{id}/cover_letter", new { text = $"letter {n}" }),
                };
                statuses.Add(response.StatusCode);
            }

            return statuses;
        });

        var results = (await Task.WhenAll(writers).WaitAsync(TimeSpan.FromMinutes(2))).SelectMany(s => s).ToList();

        Assert.Equal(160, results.Count);
        Assert.All(results, status => Assert.Equal(HttpStatusCode.OK, status));
        var counts = await alice.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        Assert.Equal(8, counts.GetProperty("total").GetInt64());
        Assert.Equal(8, counts.GetProperty("approved").GetInt64() + counts.GetProperty("rejected").GetInt64());
    }

    [Fact]
    public async Task LegacyPlaintextDatabaseInAUsersTreeIsServedAndConverted()
    {
        var location = _factory.UserDatabase(_alice);
        Directory.CreateDirectory(Path.GetDirectoryName(location.Path)!);
        StoreFixtures.CreatePlaintextUpstreamDatabase(location.Path, jobs: 6);

        var jobs = await _factory.CreateClient(_alice).GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?limit=100");

        Assert.Equal(6, jobs.GetArrayLength());
        Assert.False(StoreFixtures.HasPlainHeader(location.Path));
    }
}
