using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class ApplyFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ASavedCoverLetterIsThereAfterAReloadWithItsLineBreaksAndDownloadsAsPdf()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Staff Engineer", "Acme", "https://jobs.example/acme/letter", Score: 88));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.GotoAsync("/peregrine/review?status=approved");
        await page.GetByRole(AriaRole.Link, new() { Name = "Staff Engineer" }).ClickAsync();

        await page.GetByLabel("Your letter").FillAsync("Dear Acme,\nI would love to join.\nAda");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save letter" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Letter saved.");
        await page.ReloadAsync();

        await Assertions.Expect(page.GetByLabel("Your letter")).ToHaveValueAsync("Dear Acme,\nI would love to join.\nAda");
        var download = page.WaitForDownloadAsync(new() { Timeout = (float)BrowserFixture.Timeout.TotalMilliseconds });
        var before = Today();
        await page.GetByRole(AriaRole.Link, new() { Name = "Download as PDF" }).ClickAsync();
        var pdf = await download;
        // The server names the file by its own UTC date; a run across midnight may see either day.
        Assert.Contains(pdf.SuggestedFilename, new[] { $"CoverLetter_Acme_{before}.pdf", $"CoverLetter_Acme_{Today()}.pdf" });
        using var bytes = new MemoryStream();
        await using (var stream = await pdf.CreateReadStreamAsync())
        {
            await stream.CopyToAsync(bytes);
        }

        Assert.Equal("%PDF-"u8.ToArray(), bytes.ToArray()[..5]);
        Assert.Contains("Dear Acme, I would love to join. Ada", await PdfText.ReadAsync(bytes.ToArray()), StringComparison.Ordinal);

        var saved = await fixture.WithUserDatabaseAsync(user, db => Dapper.SqlMapper.ExecuteScalarAsync<string>(db, "SELECT cover_letter FROM jobs;"));
        Assert.Equal("Dear Acme,\nI would love to join.\nAda", saved);
    }

    [Fact]
    public async Task ApplyingAndMovingAlongThePipelineShowsTheJobUnderItsStage()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Product Designer", "Globex", "https://jobs.example/globex/design", Score: 70));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/review");
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await page.GotoAsync("/peregrine/review?status=approved");
        await page.GetByRole(AriaRole.Link, new() { Name = "Product Designer" }).ClickAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Mark as applied" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Marked as applied");
        await page.GetByLabel("Move to stage").SelectOptionAsync("phone_screen");
        await page.GetByRole(AriaRole.Button, new() { Name = "Move", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Moved to Phone screen.");

        await page.GotoAsync("/peregrine/interviews");
        var stage = page.GetByRole(AriaRole.Region, new() { Name = "Phone screen" });
        await Assertions.Expect(stage.GetByRole(AriaRole.Link, new() { Name = "Product Designer" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task TwoUsersInTwoBrowsersNeverSeeEachOthersJobs()
    {
        var alice = BrowserFixture.NewUserId();
        var bob = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(alice,
            new SeedJob("Alice's Secret Role", "Acme", "https://jobs.example/alice", Score: 99),
            new SeedJob("Alice's Other Role", "Acme", "https://jobs.example/alice/2", Score: 10));
        await fixture.SeedJobsAsync(bob, new SeedJob("Bob's Role", "Initech", "https://jobs.example/bob", Score: 50));
        await using var aliceContext = await fixture.SignedInContextAsync(alice);
        await using var bobContext = await fixture.SignedInContextAsync(bob);
        var alicePage = await aliceContext.NewPageAsync();
        var bobPage = await bobContext.NewPageAsync();

        await alicePage.GotoAsync("/peregrine/review");
        await bobPage.GotoAsync("/peregrine/review");

        await Assertions.Expect(alicePage.Locator(".job-card h2")).ToHaveTextAsync("Alice's Secret Role");
        await Assertions.Expect(bobPage.Locator(".job-card h2")).ToHaveTextAsync("Bob's Role");
        Assert.DoesNotContain("Alice", await bobPage.ContentAsync(), StringComparison.Ordinal);
        // Alice's second job id does not exist in Bob's DB (he has one job): his browser gets a not-found page, not her job.
        await alicePage.GotoAsync("/peregrine/review?skip=1");
        var aliceJobId = await alicePage.EvaluateAsync<string>("() => document.querySelector('form.decision input[name=JobId]').value");
        Assert.Equal("2", aliceJobId);
        var response = await bobPage.GotoAsync($"/peregrine/jobs/{aliceJobId}");
        Assert.Equal(404, response!.Status);
        Assert.DoesNotContain("Alice", await bobPage.ContentAsync(), StringComparison.Ordinal);
    }

    private static string Today() => DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}
