using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

/// <summary>
/// Pages with more than one form (Home, Settings, Review, Data): a post on one form re-renders the whole page, and
/// must show, and keep, what the other forms stored. A value bound from a form that the post did not carry would come
/// back empty and be saved empty by the next click: each test saves something, posts another form, and checks the
/// stored value on the page the post answered, after a reload, and where it is kept.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class MultiFormPageTests(BrowserFixture fixture)
{

    [Fact]
    public async Task OnSettingsSavingOneFormKeepsEveryOtherFormsStoredValues()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await SaveProfileAsync(page);
        await SaveSearchAsync(page, "Remote");

        // Privacy has three forms: choices, a grant, and revoking it.
        await page.GotoAsync("/peregrine/settings/privacy");
        await page.GetByLabel("Anonymous usage events").UncheckAsync();
        await page.GetByLabel("Share content to improve suggestions").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save privacy choices" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Privacy choices saved.");
        await page.GetByLabel("Ticket reference").FillAsync("TICKET-9");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "TICKET-9", Exact = true })).ToBeVisibleAsync();
        await ExpectPrivacyChoicesAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke grant TICKET-9" }).ClickAsync();
        await Assertions.Expect(page.GetByText("No active grants.")).ToBeVisibleAsync();
        await ExpectPrivacyChoicesAsync(page);
        await page.GotoAsync("/peregrine/settings/privacy");
        await ExpectPrivacyChoicesAsync(page);

        // The profile and the search profiles share nothing but a folder: saving either leaves the other whole.
        await SaveSearchAsync(page, "Berlin");
        await page.GotoAsync("/peregrine/settings/profile");
        await ExpectProfileAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");
        await ExpectProfileAsync(page);
        await page.GotoAsync("/peregrine/settings/search");
        await Assertions.Expect(page.GetByLabel("Places, one per line")).ToHaveValueAsync("Berlin");

        // A refused import shows the user's own text again and stores nothing.
        await page.GetByText("Show the file").ClickAsync();
        await page.GetByLabel("Searches as YAML").FillAsync("profiles: [");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replace with this" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Searches as YAML")).ToHaveValueAsync("profiles: [");
        await Assertions.Expect(page.GetByLabel("Places, one per line")).ToHaveValueAsync("Berlin");
        Assert.Contains("Berlin", await File.ReadAllTextAsync(ConfigFile(user, "search_profiles.yaml")), StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace", await File.ReadAllTextAsync(ConfigFile(user, "user.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnHomeEveryFormLeavesTheProfileTheHiddenChecklistAndTheJobsAlone()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Already Here", "Acme", "https://jobs.example/home-1", Score: 50));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await SaveProfileAsync(page);

        await page.GotoAsync("/peregrine/");
        // The stored state of another form here: the getting-started checklist, hidden.
        var banner = page.GetByRole(AriaRole.Button, new() { Name = "Hide this checklist" });
        await banner.ClickAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);

        await page.GetByLabel("Listing URLs, one per line").FillAsync("https://jobs.example/home-2");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add jobs" }).ClickAsync();
        await Assertions.Expect(page.GetByText("1 new job(s) added", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(banner).ToHaveCountAsync(0);

        // A refused clean-up (box not ticked) changes nothing, and neither form's post touched the other's data.
        await page.GetByRole(AriaRole.Button, new() { Name = "Clean up" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("nothing was changed");
        await Assertions.Expect(banner).ToHaveCountAsync(0);
        Assert.Equal(2, await TotalJobsAsync(user));

        await page.GotoAsync("/peregrine/settings/profile");
        await ExpectProfileAsync(page);
        var yaml = await File.ReadAllTextAsync(ConfigFile(user, "user.yaml"));
        Assert.Contains("first_run_hidden", yaml, StringComparison.Ordinal);
        Assert.Contains("Healthcare", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OnReviewADecisionOrAnUndoChangesOnlyItsOwnJob()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(
            user,
            new SeedJob("First Pick", "Acme", "https://jobs.example/review-1", Score: 90),
            new SeedJob("Second Pick", "Beta", "https://jobs.example/review-2", Score: 80),
            new SeedJob("Third Pick", "Gamma", "https://jobs.example/review-3", Score: 70));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/review");

        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Second Pick");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Third Pick");
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Second Pick");

        Assert.Equal(
            [("approved", "https://jobs.example/review-1"), ("pending", "https://jobs.example/review-2"), ("pending", "https://jobs.example/review-3")],
            await StatusesAsync(user));
    }

    [Fact]
    public async Task OnDataAPreviewOrASettingsOnlyRestoreLeavesWhatItDoesNotRestore()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await SaveProfileAsync(page);
        await page.GotoAsync("/peregrine/settings/data");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download everything" }).ClickAsync());
        var zip = Path.Combine(fixture.StateDirectory, $"{user}-multi-form.zip");
        await download.SaveAsAsync(zip);

        // Changed since the backup: a job and the profile's name.
        await fixture.SeedJobsAsync(user, new SeedJob("Added After The Backup", "Acme", "https://jobs.example/data-1", Score: 40));
        await page.GotoAsync("/peregrine/settings/profile");
        await page.GetByLabel("Name").FillAsync("Grace Hopper");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");

        // The upload post only previews: until "Restore now", nothing is replaced.
        await page.GotoAsync("/peregrine/settings/data");
        await page.GetByLabel("Backup zip").SetInputFilesAsync(zip);
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the restore" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Restore now" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        Assert.Contains("Grace Hopper", await File.ReadAllTextAsync(ConfigFile(user, "user.yaml")), StringComparison.Ordinal);
        Assert.Equal(1, await TotalJobsAsync(user));

        // Settings only: the profile comes back, the jobs database stays as it is.
        await page.GetByLabel("Backup zip").SetInputFilesAsync(zip);
        await page.GetByLabel("Also restore the jobs database").UncheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the restore" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restore finished.");
        Assert.Contains("Ada Lovelace", await File.ReadAllTextAsync(ConfigFile(user, "user.yaml")), StringComparison.Ordinal);
        Assert.Equal(1, await TotalJobsAsync(user));
    }

    private static async Task SaveProfileAsync(IPage page)
    {
        await page.GotoAsync("/peregrine/settings/profile");
        await page.GetByLabel("Name").FillAsync("Ada Lovelace");
        await page.GetByLabel("Career summary").FillAsync("First programmer.");
        await page.GetByLabel("Mission preferences").FillAsync("Healthcare: patients first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");
    }

    private static async Task ExpectProfileAsync(IPage page)
    {
        await Assertions.Expect(page.GetByLabel("Name")).ToHaveValueAsync("Ada Lovelace");
        await Assertions.Expect(page.GetByLabel("Career summary")).ToHaveValueAsync("First programmer.");
        await Assertions.Expect(page.GetByLabel("Mission preferences")).ToHaveValueAsync("Healthcare: patients first");
    }

    private static async Task SaveSearchAsync(IPage page, string place)
    {
        await page.GotoAsync("/peregrine/settings/search");
        await page.GetByLabel("Job titles, one per line").FillAsync("Site Reliability Engineer");
        await page.GetByLabel("Places, one per line").FillAsync(place);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save search preferences" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "Search preferences saved." })).ToBeVisibleAsync();
    }

    private static async Task ExpectPrivacyChoicesAsync(IPage page)
    {
        await Assertions.Expect(page.GetByLabel("Anonymous usage events")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Share content to improve suggestions")).ToBeCheckedAsync();
    }

    private string ConfigFile(string user, string name) => Path.Combine(fixture.StateDirectory, "cloud-data", user, "peregrine", "config", name);

    private async Task<long> TotalJobsAsync(string user)
    {
        using var api = fixture.ApiClientFor(user);
        return (await api.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts").WaitAsync(BrowserFixture.Timeout)).GetProperty("total").GetInt64();
    }

    private Task<List<(string Status, string Url)>> StatusesAsync(string user) =>
        fixture.WithUserDatabaseAsync(user, async db =>
            (await Dapper.SqlMapper.QueryAsync<(string, string)>(db, "SELECT status, url FROM jobs ORDER BY url;")).ToList());
}
