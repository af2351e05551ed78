using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Settings;

/// <summary>The settings and config endpoints upstream's SPA calls, per user in cloud mode, over real files.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class SettingsApiTests : IAsyncLifetime
{
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task ProfileRoundTripsThroughUserYamlInUpstreamsShapeKeepingOtherKeys()
    {
        using var client = _factory.CreateClient(_user);
        (await client.PostAsJsonAsync("/peregrine/api/config/setup-banners/setup_email/dismiss", new { })).EnsureSuccessStatusCode();

        using var put = await client.PutAsJsonAsync("/peregrine/api/settings/profile", new
        {
            name = "Ada Lovelace",
            email = "ada@example.org",
            career_summary = "Line one\r\nLine two",
            candidate_voice = "warm",
            mission_preferences = new[] { new { industry = "Healthcare", note = "patients first" } },
            accessibility_focus = true,
        });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var profile = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/profile");
        Assert.Equal("Line one\nLine two", profile.GetProperty("career_summary").GetString());
        Assert.Equal("patients first", profile.GetProperty("mission_preferences")[0].GetProperty("note").GetString());
        Assert.True(profile.GetProperty("accessibility_focus").GetBoolean());
        Assert.Equal("Ada Lovelace", (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/config/user")).GetProperty("name").GetString());
        var yaml = await File.ReadAllTextAsync(Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml"));
        Assert.Contains("Healthcare: patients first", yaml, StringComparison.Ordinal);
        Assert.Contains("setup_email", yaml, StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml")));
        var banners = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/config/setup-banners");
        Assert.DoesNotContain(banners.EnumerateArray(), b => b.GetProperty("key").GetString() == "setup_email");
    }

    [Theory]
    [InlineData("""{"email": "not an address"}""")]
    [InlineData("""{"inference_profile": "quantum"}""")]
    [InlineData("""{"name": 5}""")]
    [InlineData("""[1, 2]""")]
    public async Task BadProfileInputIsA400ProblemAndChangesNothing(string body)
    {
        using var client = _factory.CreateClient(_user);

        using var response = await client.PutAsync("/peregrine/api/settings/profile", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.False(File.Exists(Path.Combine(_factory.UserDirectory(_user), "config", "user.yaml")));
    }

    [Fact]
    public async Task SearchIsWrittenAsTheProfilesListDiscoveryReads()
    {
        using var client = _factory.CreateClient(_user);

        using var put = await client.PutAsJsonAsync("/peregrine/api/settings/search", new
        {
            remote_preference = "remote",
            job_titles = new[] { "Platform Engineer", "SRE" },
            locations = new[] { "Berlin" },
            job_boards = new[] { "linkedin" },
        });

        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var yaml = await File.ReadAllTextAsync(Path.Combine(_factory.UserDirectory(_user), "config", "search_profiles.yaml"));
        Assert.StartsWith("profiles:", yaml, StringComparison.Ordinal);
        Assert.DoesNotContain("\ndefault:", yaml, StringComparison.Ordinal);
        var search = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/search");
        Assert.Equal(["Platform Engineer", "SRE"], search.GetProperty("job_titles").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("remote", search.GetProperty("remote_preference").GetString());
        using var bad = await client.PutAsJsonAsync("/peregrine/api/settings/search", new { remote_preference = "mars" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task ResumeStartsMissingThenBlankThenSaved()
    {
        using var client = _factory.CreateClient(_user);

        Assert.False((await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume")).GetProperty("exists").GetBoolean());
        (await client.PostAsync("/peregrine/api/settings/resume/blank", null)).EnsureSuccessStatusCode();
        Assert.True((await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume")).GetProperty("exists").GetBoolean());
        (await client.PutAsJsonAsync("/peregrine/api/settings/resume", new { name = "Ada", skills = new[] { "C#", "SQL" }, salary_min = 90000 })).EnsureSuccessStatusCode();

        var resume = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume");
        Assert.Equal("SQL", resume.GetProperty("skills")[1].GetString());
    }

    [Fact]
    public async Task ThemeAcceptsUpstreamsSetOnly()
    {
        using var client = _factory.CreateClient(_user);

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/peregrine/api/settings/theme", new { theme = "dark" })).StatusCode);
        using var bad = await client.PostAsJsonAsync("/peregrine/api/settings/theme", new { theme = "neon" });

        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("Invalid theme: neon", (await bad.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task MailEndpointsAnswerNothingYetAndBackupCreateAnswersTheDownloadLink()
    {
        using var client = _factory.CreateClient(_user);

        Assert.Equal(0, (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/digest-queue")).GetArrayLength());
        Assert.Equal("idle", (await client.GetFromJsonAsync<JsonElement>("/peregrine/api/email/sync/status")).GetProperty("status").GetString());
        using var create = await client.PostAsJsonAsync("/peregrine/api/settings/data/backup/create", new { include_db = true });
        var link = (await create.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("download_url").GetString()!;
        Assert.Equal("/peregrine/api/settings/data/backup?include_db=true", link);
        using var download = await client.GetAsync(link);
        Assert.Equal("application/zip", download.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task InterviewsListsPipelineJobsOnly()
    {
        using var client = _factory.CreateClient(_user);
        var pending = await Jobs.JobsApiTests.CreateJob(client, "https://jobs.example/pending");
        var applied = await Jobs.JobsApiTests.CreateJob(client, "https://jobs.example/applied");
        (await client.PostAsync($"/peregrine/api/jobs/{applied}/applied", null)).EnsureSuccessStatusCode();
        (await client.PostAsJsonAsync($"/peregrine/api/jobs/{applied}/move", new { status = "phone_screen" })).EnsureSuccessStatusCode();

        var interviews = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/interviews");

        var job = Assert.Single(interviews.EnumerateArray());
        Assert.Equal(applied, job.GetProperty("id").GetInt64());
        Assert.Equal("phone_screen", job.GetProperty("status").GetString());
        Assert.Equal(0, job.GetProperty("stage_signals").GetArrayLength());
        Assert.NotEqual(pending, applied);
    }

    [Fact]
    public async Task SettingsNeedASession()
    {
        using var anonymous = _factory.CreateAnonymousClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/peregrine/api/settings/profile")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/peregrine/api/interviews")).StatusCode);
    }
}
