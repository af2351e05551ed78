using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Fetching;
using Peregrine.Tests.Fetching;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Tasks;

namespace Peregrine.Tests.Scraping;

/// <summary>Job intake by URL, end to end: <c>/jobs/add</c> and <c>/jobs/upload-csv</c> queue, the runner scrapes a real loopback site.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class ScrapeUrlTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private JobSiteServer _site = null!;
    private TaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _site = await JobSiteServer.StartAsync();
        // Cloud mode refuses loopback; the fixture site is the one allowed exception.
        _factory.Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{_site.Port}");
        _host = new TaskTestHost(_factory, services => services.AddSingleton<IConnectionOpener, RecordingConnections>());
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
        await _site.DisposeAsync();
    }

    internal static async Task<JsonElement[]> ImportedJobsAsync(HttpClient client, int expected)
    {
        JsonElement[] jobs = [];
        await Eventually.UntilAsync(async () =>
        {
            // Tasks first: once none is active, every scrape has written its job, so the jobs read next are final
            // (read the other way round, a task finishing between the two reads left a job "Importing...").
            var tasks = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/tasks");
            jobs = [.. (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs?limit=1000")).EnumerateArray()];
            return jobs.Length == expected && tasks.GetArrayLength() == 0;
        }, TaskTestHost.Bound);
        return jobs;
    }

    private static JsonElement ByUrl(JsonElement[] jobs, string url) => jobs.Single(j => j.GetProperty("url").GetString() == url);

    [Fact]
    public async Task AddedUrlsAreFilledFromJsonLdThenOpenGraphThenTheTitle()
    {
        var user = Guid.NewGuid().ToString();
        using var client = _host.Client(user);
        var urls = new[] { _site.Url("/jobs/7"), _site.Url("/og/3"), _site.Url("/title-only") };

        var response = await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var jobs = await ImportedJobsAsync(client, 3);
        var full = ByUrl(jobs, urls[0]);
        Assert.Equal($"{JobSiteServer.PostingTitle} 7", full.GetProperty("title").GetString());
        Assert.Equal(JobSiteServer.PostingCompany, full.GetProperty("company").GetString());
        Assert.Equal("Berlin, DE", full.GetProperty("location").GetString());
        Assert.True(full.GetProperty("is_remote").GetBoolean());
        Assert.Equal("$120,000 – $150,000", full.GetProperty("salary").GetString());
        Assert.Equal("Build the launch platform.\n\n• Kubernetes\n• Go", full.GetProperty("description").GetString());

        var og = ByUrl(jobs, urls[1]);
        Assert.Equal(("Data Analyst 3 (Remote)", "Globex", "Analyse & report on rocket telemetry.", true),
            (og.GetProperty("title").GetString(), og.GetProperty("company").GetString(), og.GetProperty("description").GetString(), og.GetProperty("is_remote").GetBoolean()));
        Assert.Equal("Backend Developer | Initech", ByUrl(jobs, urls[2]).GetProperty("title").GetString());

        Assert.Equal(new TaskRow(ScrapeTask(user, full).Id, "completed", "Saving the job", $"{JobSiteServer.PostingTitle} 7 @ {JobSiteServer.PostingCompany}"), ScrapeTask(user, full));
    }

    [Fact]
    public async Task AFailedImportSaysWhyAndTheJobDoesNotStayImporting()
    {
        var user = Guid.NewGuid().ToString();
        using var client = _host.Client(user);
        var urls = new[] { _site.Url("/broken"), _site.Url("/gone"), _site.Url("/loop") };

        await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls });

        var jobs = await ImportedJobsAsync(client, 3);
        Assert.All(jobs, j => Assert.Equal("127.0.0.1", j.GetProperty("title").GetString()));
        var errors = jobs.ToDictionary(j => j.GetProperty("url").GetString()!, j => ScrapeTask(user, j).Error);
        Assert.Equal("No job details found on the page", errors[urls[0]]);
        Assert.Equal("127.0.0.1 answered HTTP 410", errors[urls[1]]);
        Assert.Equal("Too many redirects (more than 5) from 127.0.0.1", errors[urls[2]]);
    }

    [Fact]
    public async Task CsvUploadQueuesTheFirstUrlOfEachRowAndTheyAreScraped()
    {
        using var client = _host.Client(Guid.NewGuid().ToString());
        var csv = $"title,link,notes\n\"Engineer, platform\",{_site.Url("/jobs/1")},x\nno url here,,\n{_site.Url("/jobs/2")},{_site.Url("/jobs/3")}\n";
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(System.Text.Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "file", "jobs.csv");

        var response = await client.PostAsync("/peregrine/api/jobs/upload-csv", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((2, 2), (body.GetProperty("queued").GetInt32(), body.GetProperty("total").GetInt32()));
        var jobs = await ImportedJobsAsync(client, 2);
        Assert.Equal([$"{JobSiteServer.PostingTitle} 1", $"{JobSiteServer.PostingTitle} 2"], jobs.Select(j => j.GetProperty("title").GetString()).Order());
    }

    [Fact]
    public async Task CsvUploadRefusesACrossSiteOriginAndAMissingFile()
    {
        using var client = _host.Client(Guid.NewGuid().ToString());
        using var form = new MultipartFormDataContent { { new StringContent(_site.Url("/jobs/1")), "file", "a.csv" } };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/peregrine/api/jobs/upload-csv") { Content = form };
        request.Headers.Add("Origin", "https://evil.example");

        var crossSite = await client.SendAsync(request);
        var empty = await client.PostAsync("/peregrine/api/jobs/upload-csv", new MultipartFormDataContent { { new StringContent("x"), "other" } });

        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts")).GetProperty("total").GetInt64());
    }

    /// <summary>The job's latest scrape task, as the task table records it.</summary>
    private TaskRow ScrapeTask(string userId, JsonElement job)
    {
        using var db = _host.Services.GetRequiredService<Peregrine.Storage.UserDatabases>().Open(_host.User(userId).Database);
        return Dapper.SqlMapper.QuerySingle<TaskRow>(db, """
            SELECT id, status, stage, error FROM background_tasks
            WHERE task_type = 'scrape_url' AND job_id = @id ORDER BY id DESC LIMIT 1;
            """, new { id = job.GetProperty("id").GetInt64() });
    }
}
