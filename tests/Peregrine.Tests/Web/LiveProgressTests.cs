using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

/// <summary>
/// Through the bastion with the AppHost's development LLM (a template server that takes a moment per answer): the
/// letter is written in the background and appears without a reload, a refinement round-trips, Suggest fills an
/// answer in place, and a failed letter says why in plain words and comes back through Retry.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed partial class LiveProgressTests(BrowserFixture fixture)
{
    private static readonly LocatorAssertionsToHaveValueOptions LlmWait = new() { Timeout = 60_000 };

    [Fact]
    public async Task AGeneratedLetterAppearsWithoutAReloadAndARefinementComesBackTheSameWay()
    {
        var (context, page, job, user) = await ApprovedJobPageAsync("Platform Engineer", "Acme Robotics");
        await using var browser = context;
        var letter = page.Locator("textarea#letter");

        await page.GetByRole(AriaRole.Button, new() { Name = "Generate with AI" }).ClickAsync();
        // The page that comes back shows the task's progress, watched by live.js, and nothing yet in the letter.
        await Assertions.Expect(page.Locator("#cover-letter .task-progress")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#cover-letter")).ToHaveAttributeAsync("data-watch", NonEmpty());
        await MarkThisDocumentAsync(page);

        await Assertions.Expect(letter).ToHaveValueAsync(DevelopmentLlm(), LlmWait);
        await Assertions.Expect(letter).ToHaveValueAsync(new Regex("Dear Acme Robotics hiring team"));
        await Assertions.Expect(page.Locator("#letter-words")).ToHaveTextAsync(new Regex(@"^\d+ words$"));
        Assert.True(await IsSameDocumentAsync(page), "the page was reloaded");

        await page.GetByLabel("Refine with feedback").FillAsync("Mention the migration I led.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Refine the letter" }).ClickAsync();
        await Assertions.Expect(page.Locator("#cover-letter .task-progress")).ToBeVisibleAsync();
        await MarkThisDocumentAsync(page);

        await Assertions.Expect(letter).ToHaveValueAsync(new Regex("Revised as asked: Mention the migration I led."), LlmWait);
        Assert.True(await IsSameDocumentAsync(page), "the page was reloaded");
        var stored = await fixture.WithUserDatabaseAsync(user, db => Dapper.SqlMapper.ExecuteScalarAsync<string>(db, "SELECT cover_letter FROM jobs WHERE id = @job;", new { job }));
        Assert.Contains("Revised as asked: Mention the migration I led.", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SuggestFillsTheAnswerInPlaceAndSaveKeepsIt()
    {
        var (context, page, job, _) = await ApprovedJobPageAsync("Data Engineer", "Hooli");
        await using var browser = context;
        await MarkThisDocumentAsync(page);

        await page.Locator("#question-0").FillAsync("Why do you want to work at Hooli?");
        await page.Locator("#questions").GetByRole(AriaRole.Button, new() { Name = "Suggest an answer" }).First.ClickAsync();

        await Assertions.Expect(page.Locator("#answer-0")).ToHaveValueAsync(DevelopmentLlm(), LlmWait);
        await Assertions.Expect(page.Locator("#answer-0")).ToHaveValueAsync(new Regex("Why do you want to work at Hooli"));
        await Assertions.Expect(page.Locator("#qa-status-0")).ToContainTextAsync("Suggestion added");
        Assert.True(await IsSameDocumentAsync(page), "Suggest reloaded the page");

        await page.GetByRole(AriaRole.Button, new() { Name = "Save questions and answers" }).ClickAsync();
        await Assertions.Expect(page.Locator("#questions .notice")).ToHaveTextAsync("Questions and answers saved.");
        await page.GotoAsync($"/peregrine/jobs/{job}");
        await Assertions.Expect(page.Locator("#question-0")).ToHaveValueAsync("Why do you want to work at Hooli?");
        await Assertions.Expect(page.Locator("#answer-0")).ToHaveValueAsync(DevelopmentLlm());
    }

    [Fact]
    public async Task AFailedLetterSaysWhyInPlainWordsAndRetryWritesIt()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Site Reliability Engineer", "Initech", $"https://jobs.example/live/{Guid.NewGuid():N}", Score: 75));
        var job = await fixture.WithUserDatabaseAsync(user, async db =>
        {
            var id = await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "UPDATE jobs SET status = 'approved' RETURNING id;");
            await Dapper.SqlMapper.ExecuteAsync(db, """
                INSERT INTO background_tasks (task_type, job_id, status, error, finished_at, updated_at)
                VALUES ('cover_letter', @id, 'failed', 'All LLM backends exhausted',
                        strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
                """, new { id });
            return id;
        });
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/peregrine/jobs/{job}");

        var failure = page.Locator("#cover-letter [role=alert]");
        await Assertions.Expect(failure).ToContainTextAsync("Your letter did not finish.");
        await Assertions.Expect(failure).ToContainTextAsync("The AI service could not be reached");
        await Assertions.Expect(failure).Not.ToContainTextAsync("exhausted");

        await failure.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Assertions.Expect(page.Locator("#cover-letter .task-progress")).ToBeVisibleAsync();
        await MarkThisDocumentAsync(page);
        await Assertions.Expect(page.Locator("textarea#letter")).ToHaveValueAsync(new Regex("Dear Initech hiring team"), LlmWait);
        await Assertions.Expect(page.Locator("#cover-letter [role=alert]")).ToHaveCountAsync(0);
        Assert.True(await IsSameDocumentAsync(page), "the page was reloaded");
    }

    private async Task<(IBrowserContext Context, IPage Page, long Job, string User)> ApprovedJobPageAsync(string title, string company)
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob(title, company, $"https://jobs.example/live/{Guid.NewGuid():N}", Score: 80));
        var job = await fixture.WithUserDatabaseAsync(user, db => Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "UPDATE jobs SET status = 'approved' RETURNING id;"));
        var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/peregrine/jobs/{job}");
        return (context, page, job, user);
    }

    /// <summary>A mark on the current document: it survives anything but a navigation or a reload.</summary>
    private static async Task MarkThisDocumentAsync(IPage page) => await page.EvaluateAsync("() => { window.peregrineSameDocument = true; }");

    private static Task<bool> IsSameDocumentAsync(IPage page) => page.EvaluateAsync<bool>("() => window.peregrineSameDocument === true");

    private static Regex DevelopmentLlm() => new(Regex.Escape("[Development LLM: this text is a template, not written by a model.]"));

    private static Regex NonEmpty() => new(".+");
}
