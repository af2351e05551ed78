using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Fetching;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Scraping;
using Peregrine.Tests.Tasks;

namespace Peregrine.Tests.Fetching;

/// <summary>
/// Cloud mode: a job URL that reaches the server's own network is refused after DNS resolution and on every redirect,
/// and no connection is made. "Internal" is a real listener on loopback that counts accepted connections; the private
/// and metadata addresses are never dialled (the recording opener would show it, and connects to loopback only).
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class SsrfTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly RecordingConnections _connections = new();
    private JobSiteServer _public = null!;
    private JobSiteServer _internal = null!;
    private StaticHostResolver _resolver = null!;
    private TaskTestHost _host = null!;

    public async Task InitializeAsync()
    {
        _public = await JobSiteServer.StartAsync();
        _internal = await JobSiteServer.StartAsync();
        _resolver = new StaticHostResolver(new Dictionary<string, IPAddress[]>
        {
            ["jobs.public.test"] = [IPAddress.Loopback],
            ["loopback.test"] = [IPAddress.Loopback],
            ["internal.corp.test"] = [IPAddress.Parse("10.20.30.40")],
            ["redirected.corp.test"] = [IPAddress.Parse("10.20.30.41")],
            ["metadata.test"] = [IPAddress.Parse("169.254.169.254")],
            ["cgnat.test"] = [IPAddress.Parse("100.64.1.1")],
            ["v6.test"] = [IPAddress.IPv6Loopback],
            ["mixed.test"] = [IPAddress.Parse("192.0.2.10"), IPAddress.Parse("10.0.0.1")],
        });
        // Only the "public" fixture's port is exempt; the internal listener on the same loopback address is not.
        _factory.Configure("Fetch:AllowedAddresses:0", $"127.0.0.1:{_public.Port}");
        _host = new TaskTestHost(_factory, services =>
        {
            services.AddSingleton<IConnectionOpener>(_connections);
            services.AddSingleton<IHostResolver>(_resolver);
        });
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _factory.DisposeAsync();
        await _public.DisposeAsync();
        await _internal.DisposeAsync();
    }

    [Fact]
    public async Task InternalAddressesAreRefusedDirectlyAndByRedirectWithoutAConnection()
    {
        var internalPort = _internal.Port;
        string Via(string target) => $"http://jobs.public.test:{_public.Port}/redirect?to={Uri.EscapeDataString(target)}";
        var refused = new[]
        {
            $"http://127.0.0.1:{internalPort}/jobs/1",
            $"http://loopback.test:{internalPort}/jobs/2",
            "http://10.1.2.3/jobs/3",
            "http://internal.corp.test/jobs/4",
            "http://169.254.169.254/latest/meta-data/",
            "http://metadata.test/latest/meta-data/",
            "http://cgnat.test/jobs/5",
            $"http://[::1]:{internalPort}/jobs/6",
            $"http://v6.test:{internalPort}/jobs/7",
            $"http://[::ffff:127.0.0.1]:{internalPort}/jobs/8",
            "http://mixed.test/jobs/9",
            Via($"http://127.0.0.1:{internalPort}/jobs/10"),
            Via("http://169.254.169.254/latest/meta-data/iam/"),
            Via("http://redirected.corp.test/jobs/11"),
            Via($"http://[::1]:{internalPort}/jobs/12"),
        };
        var user = Guid.NewGuid().ToString();
        using var client = _host.Client(user);

        var response = await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls = refused });

        Assert.Equal(refused.Length, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("queued").GetInt32());
        var jobs = await ScrapeUrlTests.ImportedJobsAsync(client, refused.Length);
        var errors = TaskErrors(user);
        Assert.Equal(refused.Length, errors.Count);
        Assert.All(errors, e => Assert.StartsWith("Refused to fetch ", e));
        Assert.All(jobs, j => Assert.NotEqual("Importing...", j.GetProperty("title").GetString()));

        Assert.Equal(0, _internal.AcceptedConnections);
        Assert.All(_connections.Attempts, endpoint => Assert.Equal(new IPEndPoint(IPAddress.Loopback, _public.Port), endpoint));
        Assert.NotEmpty(_connections.Attempts);
        // A refusal is an answer: the resilience pipeline does not retry it (a retry would resolve the name again).
        Assert.Equal(1, _resolver.Lookups["internal.corp.test"]);
        Assert.Equal(1, _resolver.Lookups["redirected.corp.test"]);
    }

    [Fact]
    public async Task ARedirectToAnotherSchemeIsRefused()
    {
        var user = Guid.NewGuid().ToString();
        using var client = _host.Client(user);
        var url = $"http://jobs.public.test:{_public.Port}/redirect?to={Uri.EscapeDataString("file:///etc/passwd")}";

        await client.PostAsJsonAsync("/peregrine/api/jobs/add", new { urls = new[] { url } });

        await ScrapeUrlTests.ImportedJobsAsync(client, 1);
        Assert.Equal(["Only http and https addresses can be fetched, not file:"], TaskErrors(user));
    }

    private List<string> TaskErrors(string userId)
    {
        using var db = _host.Services.GetRequiredService<Peregrine.Storage.UserDatabases>().Open(_host.User(userId).Database);
        return [.. db.Query<string>("SELECT error FROM background_tasks WHERE task_type = 'scrape_url' AND status = 'failed' ORDER BY id;")];
    }
}
