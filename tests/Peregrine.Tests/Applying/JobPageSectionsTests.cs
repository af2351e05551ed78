using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Dapper;
using Peregrine.Ai;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Demo;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;

namespace Peregrine.Tests.Applying;

/// <summary>
/// The job page's other sections against the real Api: application questions with Suggest (and a plain message when
/// no AI answers), the research gate in plain words, the move form offering only what the job's state allows, and
/// Retry of a failed task.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class JobPageSectionsTests
{
    [Fact]
    public async Task QuestionsAreAddedSuggestedInPlaceEditedAndSavedWithoutLosingWhatWasTyped()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = prompt => prompt.Contains("Question: Why Acme?", StringComparison.Ordinal) ? "I have built ledgers for ten years." : "unexpected";
        await using var api = new PeregrineApiFactory().WithPlatformLlm(AiApi.PlatformConfig(llm));
        using var client = PageClient.For(api, Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        var page = $"/peregrine/jobs/{job}";

        using var suggested = await DemoForms.SubmitPageFormAsync(client, page, "qa",
            ("Question-0", "Why Acme?"), ("Answer-0", ""), ("QaAction", "suggest-0"));
        var shown = await PageClient.ParseAsync(suggested);

        Assert.Equal("Why Acme?", shown.QuerySelector<IHtmlInputElement>("#question-0")!.Value);
        Assert.Equal("I have built ledgers for ten years.", shown.QuerySelector<IHtmlTextAreaElement>("#answer-0")!.Value);
        Assert.Contains("Suggestion added", shown.QuerySelector("#qa-status-0")!.TextContent, StringComparison.Ordinal);
        Assert.Empty((await (await client.GetAsync($"/peregrine/api/jobs/{job}/qa")).JsonAsync()).GetProperty("items").EnumerateArray());

        using var saved = await DemoForms.SubmitPageFormAsync(client, page, "qa",
            ("Question-0", "Why Acme?"), ("Answer-0", "I have built ledgers for ten years, and I like yours."), ("QaAction", "save"));
        var items = (await (await client.GetAsync($"/peregrine/api/jobs/{job}/qa")).JsonAsync()).GetProperty("items");

        Assert.Equal(1, items.GetArrayLength());
        Assert.Equal("I have built ledgers for ten years, and I like yours.", items[0].GetProperty("answer").GetString());
        var reloaded = await PageClient.GetPageAsync(client, page);
        Assert.Equal("Why Acme?", reloaded.QuerySelector<IHtmlInputElement>("#question-0")!.Value);
        Assert.Equal("", reloaded.QuerySelector<IHtmlInputElement>("#question-1")!.Value);
    }

    [Fact]
    public async Task SuggestWithoutAnAnsweringAiSaysSoPlainlyNextToTheQuestion()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Behaviour = FakeBehaviour.Fail;
        await using var api = new PeregrineApiFactory().WithPlatformLlm(AiApi.PlatformConfig(llm));
        using var client = PageClient.For(api, Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");

        using var response = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "qa",
            ("Question-0", "Why Acme?"), ("Answer-0", "My own words"), ("QaAction", "suggest-0"));
        var page = await PageClient.ParseAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TaskFailures.AiUnavailable, page.QuerySelector("#qa-status-0")!.TextContent.Trim());
        Assert.Equal("My own words", page.QuerySelector<IHtmlTextAreaElement>("#answer-0")!.Value);
        Assert.Null(page.QuerySelector("[role=alert]"));
    }

    [Fact]
    public async Task AFreeCloudUserSeesWhatResearchDoesAndTheUpgradeLinkButNeverAnOwnLlmOffer()
    {
        const string upgrade = "https://accounts.example.com/upgrade?plan=paid";
        await using var api = new PeregrineApiFactory().Configure("Plans:UpgradeUrl", upgrade);
        using var client = PageClient.For(api, Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");

        var page = await PageClient.GetPageAsync(client, $"/peregrine/jobs/{job}");
        using var refused = await client.PostAsync($"/peregrine/api/jobs/{job}/research/generate", null);
        var problem = await refused.JsonAsync();

        var research = page.QuerySelector("#research")!;
        Assert.Contains("Company research needs the Paid plan.", research.TextContent, StringComparison.Ordinal);
        Assert.Contains("talking points", research.TextContent, StringComparison.Ordinal);
        Assert.Equal(upgrade, research.QuerySelector<IHtmlAnchorElement>("a.button")!.GetAttribute("href"));
        Assert.DoesNotContain("LLM", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("BYOK", page.Body.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Company research requires a Paid plan.", problem.GetProperty("detail").GetString());
        Assert.Equal(upgrade, problem.GetProperty("upgrade_url").GetString());

        await using var noLink = new PeregrineApiFactory();
        using var other = PageClient.For(noLink, Guid.NewGuid().ToString());
        var otherJob = await AiApi.CreateJobAsync(other, "Staff Engineer", "Acme");
        Assert.Null((await PageClient.GetPageAsync(other, $"/peregrine/jobs/{otherJob}")).QuerySelector("#research a.button"));
    }

    [Fact]
    public async Task SelfHostedResearchMentionsAnLlmOfTheUsersOwnAsTheOtherWayIn()
    {
        await using var api = new PeregrineApiFactory();
        using var scratch = new TestDirectory();
        // An instance with no enabled LLM of its own: the free tier's gate applies, and the refusal names the way around it.
        Directory.CreateDirectory(scratch.Combine("config"));
        await File.WriteAllTextAsync(scratch.Combine("config", "llm.yaml"), """
            backends:
              ollama:
                type: openai_compat
                base_url: http://localhost:11434/v1
                model: llama3.2:3b
                enabled: false
            fallback_order: [ollama]
            """);
        api.Configure("CLOUD_MODE", "false").Configure("STAGING_DB", scratch.Combine("staging.db"));
        using var client = api.CreateAnonymousClient();
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");

        using var refused = await client.PostAsync($"/peregrine/api/jobs/{job}/research/generate", null);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("Company research requires a Paid plan, or your own LLM backend (BYOK).", (await refused.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheMoveFormOffersOnlyWhatTheJobsStateAllowsAndTakesATimeInTheUsersZone()
    {
        await using var api = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = PageClient.For(api, user);
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PostAsJsonAsync("/peregrine/api/settings/time-zone", new { time_zone = "Europe/Berlin" })).EnsureSuccessStatusCode();
        (await client.PostAsync($"/peregrine/api/jobs/{job}/approve", null)).EnsureSuccessStatusCode();

        var approved = await PageClient.GetPageAsync(client, $"/peregrine/jobs/{job}");
        Assert.Null(approved.QuerySelector("select[name=Stage]"));
        Assert.NotNull(approved.QuerySelector("#application button"));

        (await client.PostAsync($"/peregrine/api/jobs/{job}/applied", null)).EnsureSuccessStatusCode();
        var applied = await PageClient.GetPageAsync(client, $"/peregrine/jobs/{job}");
        var offered = applied.QuerySelectorAll<IHtmlOptionElement>("select[name=Stage] option").Select(o => o.Value).ToList();
        Assert.DoesNotContain("applied", offered);
        Assert.Equal(["survey", "phone_screen", "interviewing", "offer", "hired", "interview_rejected"], offered);

        using var moved = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "move", ("Stage", "phone_screen"), ("When", "2031-12-09T15:00"));
        var page = await PageClient.ParseAsync(moved);

        Assert.Contains("Moved to Phone screen, Tue 9 Dec 2031, 15:00", page.QuerySelector("#application")!.TextContent, StringComparison.Ordinal);
        var stored = await Database(api, user, db => db.QuerySingleAsync<(string Status, string InterviewDate)>("SELECT status, interview_date FROM jobs WHERE id = @job;", new { job }));
        Assert.Equal(("phone_screen", "2031-12-09T14:00:00Z"), stored);
        var board = await PageClient.GetPageAsync(client, "/peregrine/interviews");
        var card = board.QuerySelector($"#job-{job}")!;
        Assert.Equal("stage-phone_screen", card.Closest("section")!.GetAttribute("aria-labelledby"));
        Assert.Contains("Tue 9 Dec 2031, 15:00", card.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("2031-12-09T", board.Body!.TextContent, StringComparison.Ordinal);

        using var garbled = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "move", ("Stage", "interviewing"), ("When", "soon"));
        Assert.Contains("could not be read", (await PageClient.ParseAsync(garbled)).QuerySelector("#application")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedImportOnHomeSaysWhyAndItsRetryQueuesItAgain()
    {
        await using var api = new PeregrineApiFactory().Configure("Tasks:MaxConcurrency", "0");
        var user = Guid.NewGuid().ToString();
        using var client = PageClient.For(api, user);
        (await client.GetAsync("/peregrine/api/session")).EnsureSuccessStatusCode();
        var (failed, letter) = await Database(api, user, async db =>
        {
            const string insert = """
                INSERT INTO background_tasks (task_type, job_id, status, error, created_at, finished_at, updated_at)
                VALUES (@type, 0, 'failed', @error, @now, @now, @now) RETURNING id;
                """;
            var now = Timestamps.Format(DateTimeOffset.UtcNow);
            return (await db.ExecuteScalarAsync<long>(insert, new { type = TaskTypes.Discovery, error = BackgroundTasks.InterruptedByRestart, now }),
                    await db.ExecuteScalarAsync<long>(insert, new { type = TaskTypes.CoverLetter, error = "All LLM backends exhausted", now }));
        });

        var home = await PageClient.GetPageAsync(client, "/peregrine/");
        var finished = home.QuerySelector("#finished")!.TextContent;
        using var retried = await DemoForms.SubmitPageFormAsync(client, "/peregrine/", "retry-finished", ("TaskId", failed.ToString()));
        using var letterRetry = await client.PostAsync($"/peregrine/api/tasks/{letter}/retry", null);
        using var again = await client.PostAsync($"/peregrine/api/tasks/{failed}/retry", null);

        Assert.Contains("Peregrine restarted while it was running.", finished, StringComparison.Ordinal);
        Assert.Contains(TaskFailures.AiUnavailable, finished, StringComparison.Ordinal);
        Assert.Contains("Discovery: queued again.", (await PageClient.ParseAsync(retried)).QuerySelector("#finished")!.TextContent, StringComparison.Ordinal);
        var active = await (await client.GetAsync("/peregrine/api/tasks")).JsonAsync();
        Assert.Contains(active.EnumerateArray(), t => t.GetProperty("task_type").GetString() == TaskTypes.Discovery && t.GetProperty("status").GetString() == "queued");
        Assert.Equal(HttpStatusCode.BadRequest, letterRetry.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, again.StatusCode);
        Assert.False((await again.JsonAsync()).GetProperty("is_new").GetBoolean());
    }

    private static async Task<T> Database<T>(PeregrineApiFactory api, string user, Func<Microsoft.Data.Sqlite.SqliteConnection, Task<T>> work)
    {
        var location = api.UserDatabase(user);
        await using var db = SqliteDatabase.Open(location.Path, location.Key, pooling: false);
        return await work(db);
    }
}
