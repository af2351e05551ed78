using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Scraping;
using Peregrine.Tests.Tasks;

namespace Peregrine.Tests.Jobs;

/// <summary>
/// Jobs that can be repaired, and scored wherever they come from: a listing that could not be fetched says why in plain
/// words and can be retried or filled in by hand; a CSV's title, company, location and description columns are used;
/// every job is scored against the résumé's skills as it arrives or changes.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class JobRepairTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private JobSiteServer _site = null!;
    private TaskTestHost _host = null!;
    private volatile bool _flakyDown = true;

    public async Task InitializeAsync()
    {
        _site = await JobSiteServer.StartAsync(app =>
        {
            app.MapGet("/members-only", () => Results.StatusCode(StatusCodes.Status403Forbidden));
            // Down (every retry of the client's resilience handler included) until the test brings it back.
            app.MapGet("/flaky", () => _flakyDown
                ? Results.StatusCode(StatusCodes.Status503ServiceUnavailable)
                : Results.Content(JobSiteServer.JsonLdPage("flaky"), "text/html"));
        });
        _factory.Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{_site.Port}");
        _host = new TaskTestHost(_factory, _ => { });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
        await _site.DisposeAsync();
    }

    [Fact]
    public async Task AListingOnlyForSignedInVisitorsSaysSoAndItsPastedDetailsAreScored()
    {
        using var client = await SignedInWithSkillsAsync("Kubernetes", "Go");
        await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls = new[] { _site.Url("/members-only") } });
        var job = Assert.Single(await ScrapeUrlTests.ImportedJobsAsync(client, 1));
        var id = job.GetProperty("id").GetInt64();

        Assert.Equal("127.0.0.1", job.GetProperty("title").GetString());
        Assert.Equal(
            "127.0.0.1 only shows this listing to visitors who are signed in, so Peregrine could not read it. Open the listing yourself and paste its description below.",
            job.GetProperty("fetch_error").GetString());

        using var edited = await client.PatchAsJsonAsync($"/peregrine/api/jobs/{id}", new
        {
            title = "Platform Engineer",
            company = "Example Freight",
            description = "You will run Kubernetes clusters.",
        });

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var repaired = await client.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{id}");
        Assert.Equal(JsonValueKind.Null, repaired.GetProperty("fetch_error").ValueKind);
        Assert.Equal(("Platform Engineer", "Example Freight"), (repaired.GetProperty("title").GetString(), repaired.GetProperty("company").GetString()));
        Assert.Equal(50, repaired.GetProperty("match_score").GetDouble());
        Assert.Equal(("Kubernetes", "Go"), (repaired.GetProperty("matched_keywords").GetString(), repaired.GetProperty("keyword_gaps").GetString()));

        using var untitled = await client.PatchAsJsonAsync($"/peregrine/api/jobs/{id}", new { title = "  " });
        using var missing = await client.PatchAsJsonAsync("/peregrine/api/jobs/999999", new { title = "x" });
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NotFound), (untitled.StatusCode, missing.StatusCode));
    }

    [Fact]
    public async Task RetryFetchesTheListingAgainAndScoresIt()
    {
        using var client = await SignedInWithSkillsAsync("Kubernetes", "Terraform");
        await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls = new[] { _site.Url("/flaky") } });
        var failed = Assert.Single(await ScrapeUrlTests.ImportedJobsAsync(client, 1));
        Assert.Equal("127.0.0.1 had a problem of its own (error 503). Try again later.", failed.GetProperty("fetch_error").GetString());
        _flakyDown = false;

        using var retry = await client.PostAsync($"/peregrine/api/jobs/{failed.GetProperty("id").GetInt64()}/retry", null);

        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.True((await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("is_new").GetBoolean());
        var fetched = Assert.Single(await ScrapeUrlTests.ImportedJobsAsync(client, 1));
        Assert.Equal($"{JobSiteServer.PostingTitle} flaky", fetched.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Null, fetched.GetProperty("fetch_error").ValueKind);
        Assert.Equal(("Kubernetes", "Terraform"), (fetched.GetProperty("matched_keywords").GetString(), fetched.GetProperty("keyword_gaps").GetString()));
    }

    [Fact]
    public async Task ACsvWithTitleCompanyLocationAndDescriptionColumnsNeedsNoFetchAndIsScored()
    {
        var (client, user) = await UserWithSkillsAsync("Snowflake", "dbt");
        using var owner = client;
        const string csv = """
            Company,Job Title,Location,Description,URL
            Example Shop,Data Engineer,Lisbon,"Pipelines in dbt on Snowflake, ""modern"" stack",https://jobs.example.com/csv/1
            Example Bank,Analyst,Porto,,https://jobs.example.com/csv/2
            """;
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "jobs.csv");

        using var response = await client.PostAsync("/peregrine/api/jobs/upload-csv", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobs = (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?limit=10")).EnumerateArray().ToDictionary(j => j.GetProperty("url").GetString()!);
        var described = jobs["https://jobs.example.com/csv/1"];
        Assert.Equal(("Data Engineer", "Example Shop", "Lisbon", "Pipelines in dbt on Snowflake, \"modern\" stack"),
            (described.GetProperty("title").GetString(), described.GetProperty("company").GetString(), described.GetProperty("location").GetString(), described.GetProperty("description").GetString()));
        Assert.Equal((100.0, "Snowflake, dbt"), (described.GetProperty("match_score").GetDouble(), described.GetProperty("matched_keywords").GetString()));
        Assert.Equal(("Analyst", "Example Bank"), (jobs["https://jobs.example.com/csv/2"].GetProperty("title").GetString(), jobs["https://jobs.example.com/csv/2"].GetProperty("company").GetString()));
        Assert.Equal(["https://jobs.example.com/csv/2"], FetchedUrls(user));
    }

    private async Task<HttpClient> SignedInWithSkillsAsync(params string[] skills) => (await UserWithSkillsAsync(skills)).Client;

    private async Task<(HttpClient Client, string User)> UserWithSkillsAsync(params string[] skills)
    {
        var user = Guid.NewGuid().ToString();
        var client = _host.Client(user);
        (await client.PutAsJsonAsync("/peregrine/api/settings/resume", new { name = "Test Person", skills })).EnsureSuccessStatusCode();
        return (client, user);
    }

    /// <summary>The URLs of the user's jobs that got a fetch task (finished or not).</summary>
    private string[] FetchedUrls(string user)
    {
        using var db = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Peregrine.Storage.UserDatabases>(_host.Services)
            .Open(_host.User(user).Database);
        return [.. Dapper.SqlMapper.Query<string>(db, "SELECT j.url FROM jobs j JOIN background_tasks t ON t.job_id = j.id AND t.task_type = 'scrape_url' ORDER BY j.url;")];
    }
}
