using System.Text;
using Dapper;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class HomeFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ACsvUploadedOnHomeAddsItsUrlsAsPendingJobsEachWithAQueuedScrape()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/");
        const string csv = "title,link\r\n\"Engineer, Platform\",https://jobs.example/csv/1\r\nDesigner,https://jobs.example/csv/2?utm_source=x\r\nno link here,\r\n";

        await UploadAsync(page, "jobs.csv", Encoding.UTF8.GetBytes(csv));

        await Assertions.Expect(Notice(page)).ToHaveTextAsync("2 new job(s) added from 2 row(s) with a web address; fetching their details.");
        var rows = await fixture.WithUserDatabaseAsync(user, async db => (await db.QueryAsync<(string Url, string Status, long Scrapes)>("""
            SELECT j.url, j.status, (SELECT count(*) FROM background_tasks t WHERE t.job_id = j.id AND t.task_type = 'scrape_url')
            FROM jobs j ORDER BY j.url;
            """)).ToList());
        Assert.Equal([("https://jobs.example/csv/1", "pending", 1L), ("https://jobs.example/csv/2", "pending", 1L)], rows);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "2 to review" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task ABadCsvGetsAFriendlyMessageOnTheHomePageAndAddsNothing()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/");

        await UploadAsync(page, "photo.csv", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0xFF]);
        await Assertions.Expect(Notice(page)).ToHaveTextAsync("No web addresses were found in that file. Each row needs a cell that starts with http.");

        await UploadAsync(page, "huge.csv", Encoding.UTF8.GetBytes(new string('x', 1024 * 1024 + 1)));
        await Assertions.Expect(Notice(page)).ToHaveTextAsync("That file is larger than 1024 KB. Split it and upload the parts.");

        var rows = string.Join('\n', Enumerable.Range(0, 501).Select(i => $"https://jobs.example/many/{i}"));
        await UploadAsync(page, "many.csv", Encoding.UTF8.GetBytes(rows));
        await Assertions.Expect(Notice(page)).ToHaveTextAsync("That file has too many rows: upload at most 500 urls per upload.");

        Assert.Equal(0, await fixture.WithUserDatabaseAsync(user, db => db.ExecuteScalarAsync<long>("SELECT count(*) FROM jobs;")));
    }

    [Fact]
    public async Task HomeListsUpstreamsSetupBannersLinkingOurPagesAndADismissedOneStaysGone()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/");
        var banners = page.GetByRole(AriaRole.Region, new() { Name = "Finish setting up" }).GetByRole(AriaRole.Listitem);

        await Assertions.Expect(banners).ToHaveCountAsync(13);
        var mission = page.GetByRole(AriaRole.Link, new() { Name = "Tune your mission preferences for better cover letters" });
        Assert.EndsWith("/peregrine/settings/profile", await mission.EvaluateAsync<string>("a => a.href"), StringComparison.Ordinal);
        await Assertions.Expect(banners.Filter(new() { HasText = "Set up calendar sync to track interview dates" })).ToContainTextAsync("not in Peregrine Cloud yet");

        await page.GetByRole(AriaRole.Button, new() { Name = "Dismiss: Tune your mission preferences for better cover letters" }).ClickAsync();
        await Assertions.Expect(banners).ToHaveCountAsync(12);
        await page.ReloadAsync();
        await Assertions.Expect(banners).ToHaveCountAsync(12);
        await Assertions.Expect(mission).ToHaveCountAsync(0);
    }

    private static ILocator Notice(IPage page) =>
        page.GetByRole(AriaRole.Region, new() { Name = "Add jobs from a spreadsheet" }).Locator(".notice");

    private static async Task UploadAsync(IPage page, string name, byte[] content)
    {
        await page.GetByLabel("A CSV file").SetInputFilesAsync(new FilePayload { Name = name, MimeType = "text/csv", Buffer = content });
        await page.GetByRole(AriaRole.Button, new() { Name = "Upload CSV" }).ClickAsync();
    }
}
