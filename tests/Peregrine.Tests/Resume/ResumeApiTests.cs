using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Llm;
using Peregrine.Resume;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;

namespace Peregrine.Tests.Resume;

/// <summary>
/// Upstream's résumé endpoints (<c>/api/settings/resume</c>, <c>/upload</c>, <c>/blank</c>) over the real helper
/// process: an upload fills the profile, keeps the original in the user's <c>data/</c>, and re-scores every job
/// against the new skills; AI structuring is optional, and refused in the demo.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class ResumeApiTests : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly PeregrineApiFactory _factory = new();
    private readonly string _user = Guid.NewGuid().ToString();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task AnUploadedPdfBecomesTheProfileIsKeptInDataAndEveryJobIsScoredOnItsSkills()
    {
        using var client = _factory.CreateClient(_user);
        var job = await AiApi.CreateJobAsync(client, "Platform Engineer", "Example Freight", "You run Kubernetes with Terraform for logistics teams.");
        Assert.Equal(JsonValueKind.Null, (await JobAsync(client, job)).GetProperty("match_score").ValueKind);
        var pdf = ResumeFiles.Pdf(ResumeFiles.PlatformEngineer);

        using var response = await UploadAsync(client, pdf, "cv.pdf");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(answer.GetProperty("ok").GetBoolean());
        Assert.Equal("pdf", answer.GetProperty("format").GetString());
        Assert.Equal("Alex Morgan", answer.GetProperty("data").GetProperty("name").GetString());
        Assert.True(answer.GetProperty("data").GetProperty("exists").GetBoolean());
        var resume = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume");
        Assert.Equal("Senior Platform Engineer", resume.GetProperty("experience")[0].GetProperty("title").GetString());
        Assert.Equal("Example University", resume.GetProperty("education")[0].GetProperty("institution").GetString());
        Assert.Equal(pdf, await File.ReadAllBytesAsync(Path.Combine(_factory.UserDirectory(_user), "data", "resume-original.pdf")));
        Assert.Contains("- Kubernetes", await File.ReadAllTextAsync(Path.Combine(_factory.UserDirectory(_user), "config", "resume_keywords.yaml")), StringComparison.Ordinal);

        var scored = await ScoredAsync(client, job);
        Assert.Equal("Kubernetes, Terraform, logistics", scored.GetProperty("matched_keywords").GetString());
        Assert.Contains("Golang", scored.GetProperty("keyword_gaps").GetString(), StringComparison.Ordinal);
        Assert.True(scored.GetProperty("match_score").GetDouble() > 0);
    }

    [Fact]
    public async Task AReplacementDocxReplacesTheParsedPartsKeepsPreferencesAndRemovesTheEarlierOriginal()
    {
        using var client = _factory.CreateClient(_user);
        (await UploadAsync(client, ResumeFiles.Pdf(ResumeFiles.PlatformEngineer), "cv.pdf")).EnsureSuccessStatusCode();
        var saved = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume");
        var edited = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(saved.GetRawText())!;
        edited["salary_min"] = JsonSerializer.SerializeToElement(90000);
        edited.Remove("exists");
        (await client.PutAsJsonAsync("/peregrine/api/settings/resume", edited)).EnsureSuccessStatusCode();

        (await UploadAsync(client, ResumeFiles.Docx(ResumeFiles.DataEngineer), "cv.docx")).EnsureSuccessStatusCode();

        var resume = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume");
        Assert.Equal("Sam Okafor", resume.GetProperty("name").GetString());
        Assert.Equal(["Python", "SQL", "dbt", "Snowflake", "Airflow"], resume.GetProperty("skills").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(90000, resume.GetProperty("salary_min").GetInt64());
        var data = Path.Combine(_factory.UserDirectory(_user), "data");
        Assert.Equal(["resume-original.docx"], Directory.GetFiles(data).Select(Path.GetFileName));
    }

    [Fact]
    public async Task TheProfileRoundTripsInUpstreamsShapeAndReadsUpstreamsOlderEntries()
    {
        using var client = _factory.CreateClient(_user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(Path.Combine(_factory.UserDirectory(_user), "config", "plain_text_resume.yaml"), """
            name: Jo Example
            summary: Writes software.
            experience:
              - title: Engineer
                company: Example Co
                start_date: "2019"
                end_date: present
                bullets: [Built things, Fixed things]
            education:
              - degree: BA History
                school: Example College
                year: 2015
            skills: [Go]
            """);

        var resume = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume");

        var entry = resume.GetProperty("experience")[0];
        Assert.Equal(("2019 – present", "Built things\nFixed things"), (entry.GetProperty("period").GetString(), entry.GetProperty("responsibilities").GetString()));
        Assert.Equal("Writes software.", resume.GetProperty("career_summary").GetString());
        Assert.Equal("Example College", resume.GetProperty("education")[0].GetProperty("institution").GetString());
        using var tooLong = await client.PutAsJsonAsync("/peregrine/api/settings/resume", new { name = new string('x', 400) });
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("application/problem+json", tooLong.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task WithAnLlmConfiguredTheUploadIsStructuredByItAndMergedOverTheRulesParse()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = _ => """Here you go: {"career_summary": "Builds calm platforms.", "keywords": ["platform engineering"]}""";
        await using var api = new PeregrineApiFactory().WithPlatformLlm(AiApi.PlatformConfig(llm));
        using var client = api.CreateClient(_user);

        using var response = await UploadAsync(client, ResumeFiles.Docx(ResumeFiles.PlatformEngineer), "cv.docx", structure: true);

        var data = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("data");
        Assert.Equal("Builds calm platforms.", data.GetProperty("career_summary").GetString());
        Assert.Contains("platform engineering", data.GetProperty("keywords").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal("Alex Morgan", data.GetProperty("name").GetString());
        Assert.Contains(llm.Requests, r => r.ToJsonString().Contains("Alex Morgan", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InTheDemoStructuringIsRefusedBeforeAnyAiAndTheRulesParseIsSaved()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();

        using var response = await UploadAsync(visitor, ResumeFiles.Odt(ResumeFiles.DataEngineer), "cv.odt", structure: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(answer.GetProperty("structured").GetBoolean());
        Assert.Equal(AiDisabledInDemoException.Text, answer.GetProperty("note").GetString());
        Assert.Equal("Sam Okafor", (await visitor.GetFromJsonAsync<JsonElement>("/peregrine/api/settings/resume")).GetProperty("name").GetString());
    }

    internal static async Task<HttpResponseMessage> UploadAsync(HttpClient client, byte[] file, string name, bool structure = false)
    {
        using var form = new MultipartFormDataContent();
        var content = new ByteArrayContent(file);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(content, "file", name);
        if (structure)
        {
            form.Add(new StringContent("true"), ResumeUpload.StructureField);
        }

        return await client.PostAsync("/peregrine/api/settings/resume/upload", form).WaitAsync(Bound);
    }

    private static async Task<JsonElement> JobAsync(HttpClient client, long id) =>
        await client.GetFromJsonAsync<JsonElement>($"/peregrine/api/jobs/{id}");

    private static async Task<JsonElement> ScoredAsync(HttpClient client, long id)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (true)
        {
            var job = await JobAsync(client, id);
            if (job.GetProperty("match_score").ValueKind == JsonValueKind.Number || DateTime.UtcNow > deadline)
            {
                return job;
            }

            await Task.Delay(100);
        }
    }
}
