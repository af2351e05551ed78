using System.Net.Http.Json;
using System.Reflection;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Dapper;
using Microsoft.Playwright;
using Peregrine.Configuration;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Distributed;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

/// <summary>
/// The whole AppHost (Postgres, api, demo, Caddy bastion) plus one headless Debian chromium shared by the collection;
/// each test opens its own browser context (its own cookies) as a fresh user.
/// </summary>
public sealed class BrowserFixture : AppHostFixture
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    public const int PhoneWidth = 390;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private JobSiteServer? _boards;

    /// <summary>The api reads its job boards from the loopback fixture, the one address its SSRF policy lets through.</summary>
    protected override async Task ConfigureAsync(IDistributedApplicationTestingBuilder builder)
    {
        _boards = await JobSiteServer.StartAsync(FirstRunBoards.Map);
        var api = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(r => r.Name == "api"));
        foreach (var board in new[] { "Greenhouse", "Lever", "Ashby" })
        {
            api.WithEnvironment($"Discovery__{board}BaseUrl", _boards.Address.AbsoluteUri);
        }

        api.WithEnvironment("Fetch__AllowedAddresses__0", "127.0.0.1:" + _boards.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("browser not started");

    /// <summary>Loopback job boards the api's discovery reads (<see cref="FirstRunBoards"/>), as the demo discovery tests point theirs.</summary>
    internal JobSiteServer Boards => _boards ?? throw new InvalidOperationException("boards not started");

    /// <summary>The bastion's address, as a user's browser sees it.</summary>
    public Uri BastionAddress => App.GetEndpoint("bastion", "http");

    public Uri DemoAddress => App.GetEndpoint("demo", "http");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        // The package's driver runs on the system node; the browser is Debian's, never Playwright's download.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_NODEJS_PATH", "/usr/bin/node");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_DRIVER_SEARCH_PATH", typeof(BrowserFixture).Assembly
            .GetCustomAttributes<System.Reflection.AssemblyMetadataAttribute>().Single(a => a.Key == "PlaywrightDriverSearchPath").Value);
        _playwright = await Playwright.CreateAsync().WaitAsync(StartTimeout);
        _browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync"],
        }).WaitAsync(StartTimeout);
    }

    public override async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync().WaitAsync(Timeout);
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
        if (_boards is not null)
        {
            await _boards.DisposeAsync();
        }
    }

    /// <summary>A browser context signed in as <paramref name="userId"/> with a real Directus-shaped session cookie.</summary>
    public async Task<IBrowserContext> SignedInContextAsync(string userId, int width = 1280, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await NewContextAsync(width, scheme);
        await context.AddCookiesAsync([new Cookie
        {
            Name = SessionToken.CookieName,
            Value = TestTokens.Sign(TestTokens.SessionClaims(userId), JwtSecret),
            Url = BastionAddress.ToString(),
            HttpOnly = true,
        }]);
        return context;
    }

    /// <summary>A phone is 390 px wide (and 844 tall); a desktop 1280 by 900. The scheme is what the device prefers.</summary>
    public async Task<IBrowserContext> NewContextAsync(int width = 1280, ColorScheme scheme = ColorScheme.Light, string? baseUrl = null)
    {
        var context = await Browser.NewContextAsync(new()
        {
            BaseURL = baseUrl ?? BastionAddress.ToString(),
            ViewportSize = new() { Width = width, Height = width <= PhoneWidth ? 844 : 900 },
            ColorScheme = scheme,
            TimezoneId = "Europe/Berlin",
        });
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        return context;
    }

    /// <summary>A client of the bastion acting for <paramref name="userId"/>, for arranging data through the JSON API.</summary>
    public HttpClient ApiClientFor(string userId)
    {
        var client = CreateBastionClient();
        client.DefaultRequestHeaders.Add("Cookie", $"{SessionToken.CookieName}={TestTokens.Sign(TestTokens.SessionClaims(userId), JwtSecret)}");
        return client;
    }

    /// <summary>Creates pending jobs through the API, then sets the scores discovery would have (no endpoint writes them).</summary>
    public async Task SeedJobsAsync(string userId, params SeedJob[] jobs)
    {
        using var api = ApiClientFor(userId);
        foreach (var job in jobs)
        {
            using var created = await api.PostAsJsonAsync("/peregrine/api/jobs", new
            {
                title = job.Title,
                company = job.Company,
                url = job.Url,
                location = job.Location,
                is_remote = job.IsRemote,
                salary = job.Salary,
                description = job.Description,
            }).WaitAsync(Timeout);
            created.EnsureSuccessStatusCode();
        }

        await WithUserDatabaseAsync(userId, async db =>
        {
            foreach (var job in jobs)
            {
                await db.ExecuteAsync("UPDATE jobs SET match_score = @Score, keyword_gaps = @Gaps WHERE url = @Url;", job);
            }

            return 0;
        });
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the user's own SQLCipher DB as the api keys it (same data root and server secret),
    /// then drops this process's pooled handles: only the api may keep the file open, or a restore's rename would meet
    /// a WAL that another process still holds.
    /// </summary>
    public async Task<T> WithUserDatabaseAsync<T>(string userId, Func<Microsoft.Data.Sqlite.SqliteConnection, Task<T>> work)
    {
        var options = new PeregrineOptions
        {
            CloudModeFlag = "true",
            CloudDataRoot = Path.Combine(StateDirectory, "cloud-data"),
            ServerSecret = ServerSecret,
        };
        var location = CloudUserResolver.ForUser(options, userId).Database;
        var databases = new UserDatabases();
        try
        {
            await using var db = await databases.OpenAsync(location);
            return await work(db);
        }
        finally
        {
            // This handle only: clearing every pool would close other tests' handles, which run beside these.
            databases.Evict(location);
        }
    }

    public async Task<string> PlatformConnectionStringAsync() =>
        await App.GetConnectionStringAsync("platformdb").AsTask().WaitAsync(Timeout) ?? throw new InvalidOperationException("no platformdb connection string");

    public static string NewUserId() => Guid.NewGuid().ToString();

    /// <summary>
    /// Presses a keyboard shortcut once the page's scripts listen: they are deferred, so a page whose content is already
    /// shown (what the test waited for) may not have run them yet, and a key pressed then is lost (seen once in CI).
    /// </summary>
    public static async Task PressShortcutAsync(IPage page, string key)
    {
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        await page.Keyboard.PressAsync(key);
    }
}

public sealed record SeedJob(string Title, string Company, string Url, double Score, string? Gaps = null, string Location = "Remote", bool IsRemote = true, string? Salary = null, string? Description = null);

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
