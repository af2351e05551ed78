using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Peregrine.Demo;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The real demo host (DEMO_MODE, its own temp data root, no secrets). Each <see cref="CreateVisitor"/> is a browser
/// with its own cookie jar. Set <see cref="Configure"/> values (e.g. <c>Demo:MaxSandboxes</c>) and <see cref="Time"/>
/// before the first client is created.
/// </summary>
public sealed class DemoFactory : WebApplicationFactory<DemoAssembly>
{
    public const string App = "/peregrine";

    private readonly TestDirectory _directory = new("peregrine-demo");
    private readonly Dictionary<string, string> _settings;

    public DemoFactory(TestDirectory? dataRoot = null)
    {
        Root = dataRoot?.Path ?? _directory.Path;
        _settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DEMO_MODE"] = "true",
            ["STAGING_DB"] = Path.Combine(Root, "staging.db"),
        };
    }

    public static readonly JsonSerializerOptions Json = PeregrineApiFactory.Json;

    /// <summary>The demo's data root (seed templates, sandboxes, keys).</summary>
    public string Root { get; }

    public string SandboxesDirectory => Path.Combine(Root, "sandboxes");

    /// <summary>When set, the host's one clock: sandbox expiry and the sweeper follow it.</summary>
    public FakeTimeProvider? Time { get; set; }

    /// <summary>Extra services for the host (e.g. a probe task handler), applied after the demo's own.</summary>
    public Action<IServiceCollection>? ExtraServices { get; set; }

    public DemoFactory Configure(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>A browser: cookies kept between its requests, redirects left to the test.</summary>
    public HttpClient CreateVisitor() =>
        CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>A client that sends exactly the given Cookie header (or none) and keeps nothing.</summary>
    public HttpClient CreateClientWithCookie(string? cookieHeader)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        if (cookieHeader is not null)
        {
            client.DefaultRequestHeaders.Add("Cookie", cookieHeader);
        }

        return client;
    }

    public static async Task<string> VisitorIdAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>($"{App}/api/session")).GetProperty("user_id").GetString()!;

    public static async Task<JsonElement> CountsAsync(HttpClient client) =>
        await client.GetFromJsonAsync<JsonElement>($"{App}/api/jobs/counts");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            if (Time is { } time)
            {
                services.Replace(ServiceDescriptor.Singleton<TimeProvider>(time));
            }

            ExtraServices?.Invoke(services);
        });
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
