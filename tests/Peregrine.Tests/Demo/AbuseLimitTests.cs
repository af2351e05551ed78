using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Backup;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>Per-visitor rate limits, the job cap and the upload cap; restore works inside a sandbox.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class AbuseLimitTests
{
    [Fact]
    public async Task WritesAreRateLimitedPerVisitorWithAProblem429()
    {
        await using var demo = new DemoFactory().Configure("Demo:WritesPerMinute", "3");
        using var noisy = demo.CreateVisitor();
        using var quiet = demo.CreateVisitor();
        var jobId = (await noisy.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=1"))[0].GetProperty("id").GetInt64();

        for (var i = 0; i < 3; i++)
        {
            (await noisy.PostAsync($"{App}/api/jobs/{jobId}/approve", null)).EnsureSuccessStatusCode();
        }

        using var limited = await noisy.PostAsync($"{App}/api/jobs/{jobId}/reject", null);
        using var reads = await noisy.GetAsync($"{App}/api/jobs/counts");
        using var other = await quiet.PostAsync($"{App}/api/jobs/{jobId}/approve", null);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.True(limited.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.OK, reads.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("approved", (await noisy.GetFromJsonAsync<JsonElement>($"{App}/api/jobs/{jobId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task QueueingTasksIsRateLimitedSeparately()
    {
        await using var demo = new DemoFactory().Configure("Demo:TaskSubmissionsPerMinute", "2");
        using var visitor = demo.CreateVisitor();
        await VisitorIdAsync(visitor);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await visitor.PostAsJsonAsync($"{App}/api/jobs/add", new { urls = new[] { $"https://jobs.example.com/import/{i}" } });
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(HttpStatusCode.OK, (await visitor.PostAsync($"{App}/api/jobs/1/approve", null)).StatusCode);
    }

    [Fact]
    public async Task NewSandboxesAreRateLimitedPerAddress()
    {
        await using var demo = new DemoFactory().Configure("Demo:NewSandboxesPerMinutePerAddress", "2");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var cookieless = demo.CreateClientWithCookie(null);
            using var response = await cookieless.GetAsync($"{App}/api/session");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
        Assert.Equal(2, Directory.GetDirectories(demo.SandboxesDirectory).Length);
    }

    [Fact]
    public async Task ASandboxHoldsAtMostTheConfiguredNumberOfJobs()
    {
        await using var demo = new DemoFactory().Configure("Demo:MaxJobsPerSandbox", "26");
        using var visitor = demo.CreateVisitor();

        using var first = await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/cap/1" });
        using var batch = await visitor.PostAsJsonAsync($"{App}/api/jobs/add", new { urls = new[] { "https://jobs.example.com/cap/2", "https://jobs.example.com/cap/3" } });
        using var second = await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/cap/4" });
        using var third = await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/cap/5" });

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, batch.StatusCode);
        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, third.StatusCode);
        Assert.Equal("application/problem+json", third.Content.Headers.ContentType?.MediaType);
        Assert.Contains("at most 26 jobs", (await third.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(26, (await CountsAsync(visitor)).GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task RestoreWorksInsideTheSandboxAndKeepsItsValidation()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();
        using var other = demo.CreateVisitor();
        (await visitor.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/kept-in-backup" })).EnsureSuccessStatusCode();
        var backup = await visitor.GetByteArrayAsync($"{App}/api/settings/data/backup");
        (await visitor.PostAsync($"{App}/api/demo/reset", null)).EnsureSuccessStatusCode();
        Assert.Equal(24, (await CountsAsync(visitor)).GetProperty("total").GetInt64());

        using var restored = await BackupTestSupport.UploadAsync(visitor, $"{App}/api/settings/data/restore", backup);
        using var bogus = await BackupTestSupport.UploadAsync(visitor, $"{App}/api/settings/data/restore", "this upload is plain text, not a zip archive of a backup"u8.ToArray());
        using var oversized = await BackupTestSupport.UploadAsync(visitor, $"{App}/api/settings/data/restore", new byte[5 * 1024 * 1024]);

        Assert.Equal(HttpStatusCode.OK, restored.StatusCode);
        Assert.Equal(25, (await CountsAsync(visitor)).GetProperty("total").GetInt64());
        Assert.Equal(24, (await CountsAsync(other)).GetProperty("total").GetInt64());
        Assert.Equal(HttpStatusCode.BadRequest, bogus.StatusCode);
        Assert.True(oversized.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge, oversized.StatusCode.ToString());
        Assert.Equal(25, (await CountsAsync(visitor)).GetProperty("total").GetInt64());
    }
}
