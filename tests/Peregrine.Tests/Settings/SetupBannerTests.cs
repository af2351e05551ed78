using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Settings;

/// <summary>Upstream's 13 setup banners (<c>GET /api/config/setup-banners</c>, dismiss), keys, texts and SPA links as its dev-api.py has them.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class SetupBannerTests : IAsyncLifetime
{
    private static readonly (string Key, string Text, string Link)[] Upstream =
    [
        ("connect_cloud", "Connect a cloud service for resume/cover letter storage", "/settings?tab=integrations"),
        ("setup_email", "Set up email sync to catch recruiter outreach", "/settings?tab=email"),
        ("setup_email_labels", "Set up email label filters for auto-classification", "/settings?tab=email"),
        ("tune_mission", "Tune your mission preferences for better cover letters", "/settings?tab=profile"),
        ("configure_keywords", "Configure keywords and blocklist for smarter search", "/settings?tab=search"),
        ("upload_corpus", "Upload your cover letter corpus for voice fine-tuning", "/settings?tab=fine-tune"),
        ("configure_linkedin", "Configure LinkedIn Easy Apply automation", "/settings?tab=integrations"),
        ("setup_searxng", "Set up company research with SearXNG", "/settings?tab=system"),
        ("target_companies", "Build a target company list for focused outreach", "/settings?tab=search"),
        ("setup_notifications", "Set up notifications for stage changes", "/settings?tab=integrations"),
        ("tune_model", "Tune a custom cover letter model on your writing", "/settings?tab=fine-tune"),
        ("review_training", "Review and curate training data for model tuning", "/settings?tab=fine-tune"),
        ("setup_calendar", "Set up calendar sync to track interview dates", "/settings?tab=integrations"),
    ];

    private readonly PeregrineApiFactory _factory = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task InCloudAll13AreListedInUpstreamsOrderAndShapeUntilDismissed()
    {
        using var client = _factory.CreateClient(Guid.NewGuid().ToString());

        Assert.Equal(Upstream, await BannersAsync(client));

        using var dismissed = await client.PostAsync("/peregrine/api/config/setup-banners/setup_searxng/dismiss", null);
        Assert.Equal(HttpStatusCode.OK, dismissed.StatusCode);
        Assert.True((await dismissed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("ok").GetBoolean());
        Assert.Equal(Upstream.Where(b => b.Key != "setup_searxng"), await BannersAsync(client));

        using var unknown = await client.PostAsync("/peregrine/api/config/setup-banners/no_such_banner/dismiss", null);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task AMalformedUserYamlIsAClearProblemNotAnEmptyListOrParserText()
    {
        var user = Guid.NewGuid().ToString();
        using var client = _factory.CreateClient(user);
        await BannersAsync(client);
        var config = Directory.CreateDirectory(Path.Combine(_factory.UserDirectory(user), "config"));
        await File.WriteAllTextAsync(Path.Combine(config.FullName, "user.yaml"), "name: [unclosed\n  dismissed_banners: {");

        using var response = await client.GetAsync("/peregrine/api/config/setup-banners");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var detail = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Equal("config/user.yaml is not valid YAML, so your setup state cannot be read. Fix the file or restore it from a backup.", detail);
    }

    [Fact]
    public async Task InLocalModeThereAreNoneUntilUserYamlSaysTheWizardIsComplete()
    {
        var staging = _factory.Scratch.Combine("local", "staging.db");
        _factory.Configure("CLOUD_MODE", "false").Configure("STAGING_DB", staging).Configure("Tasks:MaxConcurrency", "0");
        using var client = _factory.CreateAnonymousClient();

        Assert.Empty(await BannersAsync(client));

        var config = Directory.CreateDirectory(Path.Combine(Path.GetDirectoryName(staging)!, "config"));
        await File.WriteAllTextAsync(Path.Combine(config.FullName, "user.yaml"), "wizard_complete: true\ndismissed_banners: [connect_cloud, setup_email]\n");
        Assert.Equal(Upstream.Skip(2), await BannersAsync(client));
    }

    private static async Task<(string Key, string Text, string Link)[]> BannersAsync(HttpClient client)
    {
        var banners = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/config/setup-banners");
        return [.. banners.EnumerateArray().Select(b => (b.GetProperty("key").GetString()!, b.GetProperty("text").GetString()!, b.GetProperty("link").GetString()!))];
    }
}
