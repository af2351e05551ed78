using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Jobs;

/// <summary>The job API end to end in local mode (no session): upstream's paths, shapes, status codes and messages.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class JobsApiTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private HttpClient _client = null!;

    public Task InitializeAsync()
    {
        // These tests look at what was queued; running it is the task runner's tests' business.
        _factory.Configure("CLOUD_MODE", "false").Configure("STAGING_DB", _factory.Scratch.Combine("local", "staging.db"))
            .Configure("Tasks:MaxConcurrency", "0");
        _client = _factory.CreateAnonymousClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    internal static async Task<long> CreateJob(HttpClient client, string url, string title = "Engineer")
    {
        var response = await client.PostAsJsonAsync("/peregrine/api/jobs", new { title, company = "Acme", url, is_remote = true });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
    }

    internal static async Task<JsonElement> Json(HttpResponseMessage response) => await response.Content.ReadFromJsonAsync<JsonElement>();

    [Fact]
    public async Task CreatedJobIsListedWithUpstreamsShapeAndCounted()
    {
        var id = await CreateJob(_client, "https://jobs.example/1?utm_source=mail");

        var list = await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?status=pending&limit=50");
        var job = Assert.Single(list.EnumerateArray());
        Assert.Equal(id, job.GetProperty("id").GetInt64());
        Assert.Equal("https://jobs.example/1", job.GetProperty("url").GetString());
        Assert.True(job.GetProperty("is_remote").GetBoolean());
        Assert.False(job.GetProperty("has_cover_letter").GetBoolean());
        Assert.False(job.TryGetProperty("cover_letter", out _));

        var counts = await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts");
        Assert.Equal(1, counts.GetProperty("pending").GetInt64());
        Assert.Equal(1, counts.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task DuplicateUrlIsAConflictProblem()
    {
        await CreateJob(_client, "https://jobs.example/dup");

        var again = await _client.PostAsJsonAsync("/peregrine/api/jobs", new { title = "x", url = "https://jobs.example/dup#apply" });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownJobIsNotFoundWithUpstreamsMessage()
    {
        var response = await _client.GetAsync("/peregrine/api/jobs/4242");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Job not found", (await Json(response)).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await _client.PostAsync("/peregrine/api/jobs/4242/approve", null)).StatusCode);
    }

    [Fact]
    public async Task ReviewAndPipelineTransitionsFollowUpstreamsRules()
    {
        var id = await CreateJob(_client, "https://jobs.example/2");

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/peregrine/api/jobs/{id}/approve", null)).StatusCode);
        var badRevert = await _client.PostAsJsonAsync($"/peregrine/api/jobs/{id}/revert", new { status = "hired" });
        Assert.Equal(HttpStatusCode.BadRequest, badRevert.StatusCode);
        Assert.Equal("Invalid status: hired", (await Json(badRevert)).GetProperty("detail").GetString());
        var badMove = await _client.PostAsJsonAsync($"/peregrine/api/jobs/{id}/move", new { status = "archived" });
        Assert.Equal("Invalid pipeline status: archived", (await Json(badMove)).GetProperty("detail").GetString());

        Assert.Equal(HttpStatusCode.OK, (await _client.PostAsync($"/peregrine/api/jobs/{id}/applied", null)).StatusCode);
        var move = await _client.PostAsJsonAsync($"/peregrine/api/jobs/{id}/move", new { status = "phone_screen", interview_date = "2026-05-01" });
        Assert.Equal(HttpStatusCode.OK, move.StatusCode);
        var job = await _client.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{id}");
        Assert.Equal("phone_screen", job.GetProperty("status").GetString());

        var archived = await _client.PostAsJsonAsync("/peregrine/api/jobs/archive", new { statuses = new[] { "phone_screen" } });
        Assert.Equal(1, (await Json(archived)).GetProperty("archived").GetInt64());
    }

    [Fact]
    public async Task AddingUrlsCanonicalisesSkipsKnownOnesAndQueuesAScrapeEach()
    {
        await CreateJob(_client, "https://www.linkedin.com/jobs/view/123/");
        var urls = new[]
        {
            "https://www.linkedin.com/jobs/view/senior-engineer-at-acme-123?trk=share",
            "https://jobs.example/new?utm_campaign=x&id=7",
            "mailto:someone@example.com",
        };

        var response = await _client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await Json(response)).GetProperty("queued").GetInt64());
        var task = Assert.Single((await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/tasks")).EnumerateArray());
        Assert.Equal("scrape_url", task.GetProperty("task_type").GetString());
        Assert.Equal("Importing...", task.GetProperty("title").GetString());
        Assert.Equal("queued", task.GetProperty("status").GetString());

        var cancel = await _client.DeleteAsync($"/peregrine/api/tasks/{task.GetProperty("id").GetInt64()}");
        Assert.True((await Json(cancel)).GetProperty("ok").GetBoolean());
        Assert.Empty((await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/tasks")).EnumerateArray());
    }

    [Fact]
    public async Task CoverLetterIsSavedAndItsTaskPollReportsNone()
    {
        var id = await CreateJob(_client, "https://jobs.example/3");

        var saved = await _client.PatchAsJsonAsync($"/peregrine/api/jobs/{id}/cover_letter", new { text = "Dear Acme" });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);

        var job = await _client.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{id}");
        Assert.Equal("Dear Acme", job.GetProperty("cover_letter").GetString());
        Assert.True(job.GetProperty("has_cover_letter").GetBoolean());
        var poll = await _client.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{id}/cover_letter/task");
        Assert.Equal("none", poll.GetProperty("status").GetString());
    }

    [Fact]
    public async Task DefaultPurgeDeletesPendingAndRejectedOnly()
    {
        var kept = await CreateJob(_client, "https://jobs.example/keep");
        await CreateJob(_client, "https://jobs.example/drop");
        await _client.PostAsync($"/peregrine/api/jobs/{kept}/approve", null);

        var purge = await _client.PostAsJsonAsync("/peregrine/api/jobs/purge", new { });

        Assert.Equal(1, (await Json(purge)).GetProperty("deleted").GetInt64());
        Assert.Equal(1, (await _client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64());
    }
}
