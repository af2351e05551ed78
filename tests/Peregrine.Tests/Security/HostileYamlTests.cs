using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Html.Parser;
using Peregrine.Settings;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Backup;
using Peregrine.Tests.Demo;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;

namespace Peregrine.Tests.Security;

/// <summary>
/// YAML a user controls (a settings form, a restored config file, a file found in their tree) can neither take the
/// process down for every tenant nor fill its memory or disk. Each case runs against the real built host in its own
/// process, so a stack overflow shows up as a dead server (and the next user's failed request), not a dead test run.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class HostileYamlTests : IAsyncLifetime
{
    private readonly TestDirectory _root = new("peregrine-hostile-yaml");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _root.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>
    /// About 20 KB of text that nests 10,000 levels deep (what overflowed the deserializer's stack), and the same 50,000
    /// deep (100 KB: what overflows the parser's document model on a thread pool thread's stack whatever the version).
    /// </summary>
    public static string Levels(int depth, char open = '[', char close = ']') =>
        "profiles: " + new string(open, depth) + new string(close, depth) + "\n";

    /// <summary>404 bytes that a YAML loader expanding aliases turns into 10^6 strings (each level ten of the one above).</summary>
    public const string AliasBomb = """
        profiles:
        - name: default
          titles: [Engineer]
          a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]
          b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
          c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
          d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
          e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]
          f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]

        """;

    [Fact]
    public async Task TenThousandLevelsPostedOnSearchSettingsLeaveTheCloudApiUpForTheNextUser()
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        using var attacker = server.CreateBrowserClient(Guid.NewGuid().ToString());

        foreach (var depth in new[] { 50_000, 10_000 })
        {
            await AssertRefusedOnTheSearchPageAsync(attacker, Levels(depth), "64 levels");
            await AssertRefusedOnTheSearchPageAsync(attacker, Levels(depth, '{', '}'), "64 levels");
        }

        Assert.False(server.HasExited);
        using var nextUser = server.CreateBrowserClient(Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.OK, (await nextUser.GetAsync("/peregrine/api/session")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await nextUser.GetAsync("/peregrine/settings/search")).StatusCode);
    }

    [Fact]
    public async Task TenThousandLevelsPostedOnTheDemoNeedNoAccountAndLeaveItUpForTheNextVisitor()
    {
        await using var demo = await ApiServer.StartDemoAsync(Folder("demo"));
        using var attacker = demo.CreateBrowserClient();

        await AssertRefusedOnTheSearchPageAsync(attacker, Levels(50_000), "64 levels");
        await AssertRefusedOnTheSearchPageAsync(attacker, Levels(10_000), "64 levels");

        Assert.False(demo.HasExited);
        using var nextVisitor = demo.CreateBrowserClient();
        Assert.Equal(HttpStatusCode.OK, (await nextVisitor.GetAsync("/peregrine/")).StatusCode);
    }

    [Fact]
    public async Task AnAliasBombPostedOnSearchSettingsIsRefusedAtOnceWithNothingWritten()
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        var user = Guid.NewGuid().ToString();
        using var attacker = server.CreateBrowserClient(user, timeout: TimeSpan.FromSeconds(20));

        await AssertRefusedOnTheSearchPageAsync(attacker, AliasBomb, "anchors and aliases");

        Assert.False(File.Exists(Path.Combine(Folder("cloud"), user, "peregrine", "config", "search_profiles.yaml")));
    }

    [Theory]
    [InlineData("profiles: [", "line")]
    [InlineData("profiles:\n- name: default\n  titles: [a\n", "line")]
    [InlineData("profiles: !!python/object:os.system [echo]\n", "tag")]
    public async Task MalformedYamlShowsThePageAgainWithTheUsersTextAndTheParseError(string yaml, string expected)
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        using var user = server.CreateBrowserClient(Guid.NewGuid().ToString());

        await AssertRefusedOnTheSearchPageAsync(user, yaml, expected);
    }

    [Fact]
    public async Task AThousandLevelsAreRefusedOnTheSearchPageNotAnsweredWith500()
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        using var user = server.CreateBrowserClient(Guid.NewGuid().ToString());

        await AssertRefusedOnTheSearchPageAsync(user, "profiles: " + new string('[', 1000) + new string(']', 1000), "64 levels");
    }

    [Fact]
    public async Task ARestoreCarryingATenThousandLevelUserYamlIsRefusedAndHomeStillRenders()
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        var user = Guid.NewGuid().ToString();
        using var client = server.CreateBrowserClient(user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        var userYaml = Path.Combine(Folder("cloud"), user, "peregrine", "config", "user.yaml");
        await File.WriteAllTextAsync(userYaml, "name: Before\n");

        using var restore = await BackupTestSupport.UploadAsync(
            client, BackupTestSupport.RestorePath, BackupZips.Create(("config/user.yaml", BackupZips.Text("name: " + new string('[', 50_000) + new string(']', 50_000)))));

        Assert.Equal(HttpStatusCode.BadRequest, restore.StatusCode);
        Assert.Contains("config/user.yaml", (await restore.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("name: Before\n", await File.ReadAllTextAsync(userYaml));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/peregrine/")).StatusCode);
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task AHostileUserYamlAlreadyInTheTreeStillLetsHomeRenderAndTheApiSaysWhy()
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        var user = Guid.NewGuid().ToString();
        using var client = server.CreateBrowserClient(user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(Path.Combine(Folder("cloud"), user, "peregrine", "config", "user.yaml"), "name: " + new string('[', 50_000) + new string(']', 50_000));

        using var home = await client.GetAsync("/peregrine/");

        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.DoesNotContain("Exception", WebUtility.HtmlDecode(await home.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        using var banners = await client.GetAsync("/peregrine/api/config/setup-banners");
        Assert.Equal(HttpStatusCode.Conflict, banners.StatusCode);
        Assert.Equal(SetupBanners.MalformedUserYaml, (await banners.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.False(server.HasExited);
    }

    [Fact]
    public async Task AResumeWithAliasesInTheTreeIsAnsweredAtOnceAndStaysBounded()
    {
        await using var server = await ApiServer.StartAsync(Folder("cloud"));
        var user = Guid.NewGuid().ToString();
        using var client = server.CreateBrowserClient(user, timeout: TimeSpan.FromSeconds(20));
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        var bomb = string.Join('\n', AliasBomb.Split('\n').Skip(3).Select(l => l.TrimStart())) + "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n";
        await File.WriteAllTextAsync(Path.Combine(Folder("cloud"), user, "peregrine", "config", "plain_text_resume.yaml"), bomb);

        using var resume = await client.GetAsync("/peregrine/api/settings/resume");

        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
        Assert.Contains("anchors and aliases", (await resume.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(server.HasExited);
    }

    private string Folder(string name) => Directory.CreateDirectory(_root.Combine(name)).FullName;

    [Fact]
    public async Task AResumeNestedFiftyThousandLevelsDeepLeavesTheApiUpWhenAnAnswerIsSuggested()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = _ => "Because I like ledgers.";
        await using var server = await ApiServer.StartAsync(Folder("cloud"), ("Llm__BaseUrl", llm.OpenAiBase), ("Llm__Model", "llama3.1:8b"));
        var user = Guid.NewGuid().ToString();
        using var client = server.CreateBrowserClient(user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(
            Path.Combine(Folder("cloud"), user, "peregrine", "config", "plain_text_resume.yaml"), "experience: " + new string('[', 50_000) + new string(']', 50_000));
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        using var answer = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = "Why Acme?" });

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.False(server.HasExited);
        Assert.DoesNotContain("[[[", llm.Requests.Last().ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>Posts the Search page's form; the page comes back (200) with the text as typed and the problem inline.</summary>
    private static async Task AssertRefusedOnTheSearchPageAsync(HttpClient browser, string yaml, string expected)
    {
        using var response = await DemoForms.SubmitPageFormAsync(browser, "/peregrine/settings/search", "search-yaml", ("Yaml", yaml));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync());
        Assert.Equal(yaml.ReplaceLineEndings("\n"), page.QuerySelector("textarea#search-yaml")?.TextContent.ReplaceLineEndings("\n"));
        var alert = page.QuerySelector("[role=alert]")?.TextContent ?? string.Empty;
        Assert.Contains(expected, alert, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Exception", alert, StringComparison.Ordinal);
    }
}
