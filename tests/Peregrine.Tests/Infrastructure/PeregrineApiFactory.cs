using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Peregrine.Storage;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The real Api in cloud mode (TodoApp's test factory): a fresh temp <c>CLOUD_DATA_ROOT</c>, known secrets, and
/// <see cref="CreateClient(string)"/> for a client that sends a real minted <c>cf_session</c> cookie. Add settings
/// (e.g. <c>PLATFORM_DB_URL</c>, <c>PEREGRINE_APP</c>, <c>CLOUD_MODE=false</c>) with <see cref="Configure"/> before the
/// first client is created. The environment defaults to Development; set <see cref="EnvironmentName"/> to test
/// what a deployment (Production) sees.
/// </summary>
public sealed class PeregrineApiFactory : WebApplicationFactory<Peregrine.Api.ApiAssembly>
{
    /// <summary>The <c>CF_SERVER_SECRET</c>: derive a user's key with <see cref="UserDatabase"/>.</summary>
    public const string ServerSecret = CloudEnvironment.ServerSecret;

    private readonly TestDirectory _directory = new("peregrine-api");
    private readonly Dictionary<string, string> _settings;

    public PeregrineApiFactory()
    {
        DataRoot = _directory.Combine("users");
        Directory.CreateDirectory(DataRoot);
        _settings = CloudEnvironment.For(DataRoot).ToDictionary(setting => setting.Key, setting => setting.Value!, StringComparer.Ordinal);
    }

    /// <summary>The service's JSON policy (snake_case), for reading its responses.</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>The per-user root; empty until a signed-in request provisions a tree.</summary>
    public string DataRoot { get; }

    /// <summary>
    /// What the data root holds besides the service's own key ring (<c>.data-protection</c>, written at start-up):
    /// the user trees, which a refused request must never create.
    /// </summary>
    public string[] UserTrees() =>
        [.. Directory.EnumerateFileSystemEntries(DataRoot).Where(path => Path.GetFileName(path) != ".data-protection").Order(StringComparer.Ordinal)];

    /// <summary>A scratch folder for this factory (removed with it), e.g. for a local-mode <c>STAGING_DB</c>.</summary>
    public TestDirectory Scratch => _directory;

    public string EnvironmentName { get; set; } = "Development";

    public string App => _settings.GetValueOrDefault("PEREGRINE_APP", "peregrine");

    /// <summary>Sets (or, with null, removes) a configuration value the Api reads at start-up.</summary>
    public PeregrineApiFactory Configure(string key, string? value)
    {
        if (value is null)
        {
            _settings.Remove(key);
        }
        else
        {
            _settings[key] = value;
        }

        return this;
    }

    /// <summary>A client with no session; redirects and cookies are left to the test.</summary>
    public HttpClient CreateAnonymousClient() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });

    /// <summary>A client signed in as <paramref name="userId"/>: every request carries <c>Cookie: cf_session=&lt;token&gt;</c>.</summary>
    public HttpClient CreateClient(string userId) => CreateAnonymousClient().As(userId);

    public HttpClient CreateClientWithCookie(string cookieHeader)
    {
        var client = CreateAnonymousClient();
        client.DefaultRequestHeaders.Add("Cookie", cookieHeader);
        return client;
    }

    /// <summary><c>&lt;root&gt;/&lt;user&gt;/&lt;app&gt;/</c>.</summary>
    public string UserDirectory(string userId) => Path.Combine(DataRoot, userId, App);

    /// <summary>The user's staging.db and the key the service must use for it.</summary>
    public DatabaseLocation UserDatabase(string userId) =>
        new(userId, Path.Combine(UserDirectory(userId), "staging.db"), DatabaseKey.Derive(ServerSecret, userId));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _directory.Dispose();
        }
    }
}
