using System.Globalization;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Jobs;
using Peregrine.Scraping;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Bench.Tasks;

/// <summary>
/// The service's real task machinery (AddPeregrineCore: task runner, guarded fetcher, scrape handler, SQLCipher user
/// DBs) in cloud mode over a data root, with the loopback job site as the one allowed address.
/// </summary>
internal sealed class TaskScenario : IAsyncDisposable
{
    public const string ServerSecret = "bench-server-secret";
    public const int ConcurrentTasks = 8;

    private readonly WebApplication _app;

    private TaskScenario(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    public TaskRunner Runner => Services.GetRequiredService<TaskRunner>();

    public UserDatabases Databases => Services.GetRequiredService<UserDatabases>();

    public static async Task<TaskScenario> StartAsync(string dataRoot, int sitePort)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        foreach (var (key, value) in Settings(dataRoot))
        {
            builder.Configuration[key] = value;
        }

        builder.Configuration["Fetch:AllowedAddresses:0"] = $"127.0.0.1:{sitePort}";
        builder.Configuration["Tasks:MaxConcurrency"] = ConcurrentTasks.ToString(CultureInfo.InvariantCulture);
        builder.AddPeregrineCore();
        var app = builder.Build();
        await app.StartAsync();
        return new TaskScenario(app);
    }

    public static Dictionary<string, string> Settings(string dataRoot) => new()
    {
        ["CLOUD_MODE"] = "true",
        ["CLOUD_DATA_ROOT"] = dataRoot,
        ["CF_SERVER_SECRET"] = ServerSecret,
        ["DIRECTUS_JWT_SECRET"] = "bench-jwt-secret-bench-jwt-secret-0123456789",
    };

    public static UserContext User(string dataRoot, int index) =>
        CloudUserResolver.ForUser(
            new PeregrineOptions { CloudModeFlag = "true", CloudDataRoot = dataRoot, ServerSecret = ServerSecret },
            new Guid(index, 0, 0, new byte[8]).ToString());

    /// <summary>A user's tree and migrated, encrypted DB, as a first sign-in leaves them.</summary>
    public static void Provision(UserDatabases databases, UserContext user)
    {
        Directory.CreateDirectory(user.ConfigDirectory);
        using (databases.Open(user.Database))
        {
        }

        // As after the user's session ends: nothing of theirs stays pooled in this process.
        databases.Forget(user.Database);
    }

    /// <summary>The job page every URL serves: schema.org JSON-LD, as the scrape tests' main fixture.</summary>
    public static void MapJobPages(WebApplication site) =>
        site.MapGet("/jobs/{id}", (string id) => Results.Content($$"""
            <!DOCTYPE html><html><head><title>Careers</title>
            <script type="application/ld+json">
            {"@context": "https://schema.org/", "@type": "JobPosting", "title": "Platform Engineer {{id}}",
             "description": "&lt;p&gt;Build the &lt;b&gt;launch&lt;/b&gt; platform.&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Kubernetes&lt;/li&gt;&lt;/ul&gt;",
             "hiringOrganization": {"@type": "Organization", "name": "Acme Rockets"},
             "jobLocation": {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"} } }
            </script></head><body><h1>Careers</h1></body></html>
            """, "text/html; charset=utf-8"));

    public static string[] UrlsOf(LoopbackSite site, int user, int perUser) =>
        [.. Enumerable.Range(0, perUser).Select(i => site.Url($"/jobs/{user}-{i}"))];

    /// <summary>The real enqueue path of <c>POST /jobs/add</c>: placeholders, queued scrapes, marker, wake.</summary>
    public static async Task<long> AddUrlsAsync(UserDatabases databases, ITaskWakeup wakeup, UserContext user, string[] urls)
    {
        var added = await new JobsService(databases, wakeup, TimeProvider.System, new NoUsageTelemetry()).ImportUrlsAsync(user, urls, CancellationToken.None);
        return added.Value?.Queued ?? throw new InvalidOperationException(added.Refusal!.Detail);
    }

    /// <summary>Waits (bounded) until the runner knows of work and then has none left in memory.</summary>
    public async Task WaitUntilDrainedAsync(TimeSpan bound, bool workExpected)
    {
        var deadline = DateTime.UtcNow + bound;
        while (workExpected && Runner.ActiveOwnerCount == 0)
        {
            await Pause(deadline);
        }

        while (Runner.ActiveOwnerCount > 0 || Runner.RunningCount > 0)
        {
            await Pause(deadline);
        }
    }

    private static Task Pause(DateTime deadline) =>
        DateTime.UtcNow < deadline ? Task.Delay(5) : throw new TimeoutException("the task runner did not drain in time");

    public static long Count(UserDatabases databases, UserContext user, string sql)
    {
        using var db = databases.Open(user.Database);
        return db.ExecuteScalar<long>(sql);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    public JobPageReader Reader => Services.GetRequiredService<JobPageReader>();

    public ITaskWakeup Wakeup => Services.GetRequiredService<ITaskWakeup>();

    public PeregrineOptions Options => Services.GetRequiredService<IOptions<PeregrineOptions>>().Value;
}
