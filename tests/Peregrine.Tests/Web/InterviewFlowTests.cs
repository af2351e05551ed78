using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

/// <summary>
/// Through the bastion: an applied job moves to a phone screen with a date and time on the Interviews board, its prep
/// page takes call notes, and the notes come back after a backup is restored on the Data page. The theme chosen in
/// Settings stays chosen.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class InterviewFlowTests(BrowserFixture fixture)
{
    private const string Notes = "Recruiter: Sam.\nThey asked about on-call. Follow up with the rota.";

    [Fact]
    public async Task AMoveToPhoneScreenWithADateLeadsToPrepNotesThatSurviveABackupAndRestore()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Product Designer", "Globex", "https://jobs.example/globex/interview", Score: 70,
            Description: "Design the tools our field teams use."));
        using (var api = fixture.ApiClientFor(user))
        {
            var job = await fixture.WithUserDatabaseAsync(user, db => Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "SELECT id FROM jobs;"));
            (await api.PostAsync($"/peregrine/api/jobs/{job}/applied", null)).EnsureSuccessStatusCode();
        }

        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/interviews");
        // The browser tells the server its zone once (Europe/Berlin, as the context is set up), and the board redraws.
        await Assertions.Expect(page.Locator("html")).Not.ToHaveAttributeAsync("data-zone", "unset");
        var card = page.Locator("section[aria-labelledby=stage-applied] article");
        await Assertions.Expect(card.GetByRole(AriaRole.Link, new() { Name = "Product Designer", Exact = true })).ToBeVisibleAsync();

        await card.GetByLabel("Move Product Designer to").SelectOptionAsync("phone_screen");
        var when = card.GetByLabel("Date and time of the call or interview");
        await Assertions.Expect(when).ToBeVisibleAsync();
        await when.FillAsync("2031-12-09T15:00");
        await card.GetByRole(AriaRole.Button, new() { Name = "Move Product Designer" }).ClickAsync();

        var moved = page.Locator("section[aria-labelledby=stage-phone_screen] article");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Moved “Product Designer” to Phone screen.");
        await Assertions.Expect(moved.Locator(".when time")).ToHaveTextAsync(new Regex(@"^Tue 9 Dec 2031, 15:00 · in \d+ days$"));
        var stored = await fixture.WithUserDatabaseAsync(user, db => Dapper.SqlMapper.ExecuteScalarAsync<string>(db, "SELECT interview_date FROM jobs;"));
        Assert.Equal("2031-12-09T14:00:00Z", stored);

        await moved.GetByRole(AriaRole.Link, new() { Name = "Interview prep for Product Designer" }).ClickAsync();
        await Assertions.Expect(page.Locator(".countdown time")).ToHaveTextAsync(new Regex(@"^Tue 9 Dec 2031, 15:00 · in \d+ days$"));
        await Assertions.Expect(page.GetByText("Design the tools our field teams use.")).ToBeVisibleAsync();
        await page.GetByLabel("Notes for this job").FillAsync(Notes);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save notes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notes .notice")).ToHaveTextAsync("Notes saved.");
        var prep = page.Url;

        var backup = await context.APIRequest.GetAsync("/peregrine/api/settings/data/backup?include_db=true");
        Assert.True(backup.Ok, $"backup: {backup.Status}");
        var zip = await backup.BodyAsync();
        await page.GetByLabel("Notes for this job").FillAsync("Written after the backup.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save notes" }).ClickAsync();
        await Assertions.Expect(page.Locator("#notes .notice")).ToHaveTextAsync("Notes saved.");

        await page.GotoAsync("/peregrine/settings/data");
        await page.GetByLabel("Backup zip").SetInputFilesAsync(new FilePayload { Name = "backup.zip", MimeType = "application/zip", Buffer = zip });
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the restore" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore now" }).ClickAsync();
        await Assertions.Expect(page.GetByText("Restore finished.")).ToBeVisibleAsync();

        await page.GotoAsync(prep);
        await Assertions.Expect(page.GetByLabel("Notes for this job")).ToHaveValueAsync(Notes);
    }

    [Fact]
    public async Task TheThemeChosenInSettingsIsDrawnByTheServerAndStaysChosen()
    {
        var user = BrowserFixture.NewUserId();
        await using (var context = await fixture.SignedInContextAsync(user))
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync("/peregrine/settings/appearance");
            await Assertions.Expect(page.Locator("html")).Not.ToHaveAttributeAsync("data-theme", new Regex("."));

            await page.GetByLabel("Dark", new() { Exact = true }).CheckAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Save appearance" }).ClickAsync();

            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Appearance saved.");
            await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
            var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).backgroundColor");
            Assert.Equal("rgb(18, 22, 28)", background);
        }

        // Another browser, another day: the server draws the same theme from the first byte.
        await using var later = await fixture.SignedInContextAsync(user);
        var again = await later.NewPageAsync();
        var response = await again.GotoAsync("/peregrine/");
        Assert.Contains("<html lang=\"en\" data-theme=\"dark\"", await response!.TextAsync(), StringComparison.Ordinal);
        await Assertions.Expect(again.Locator("html")).ToHaveAttributeAsync("data-theme", "dark");
    }
}
