using Dapper;
using Microsoft.Playwright;
using Npgsql;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class SettingsFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task PrivacyChoicesPersistInTelemetryConsentAndShowAfterAReload()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/settings/privacy");

        await page.GetByLabel("Anonymous usage events").UncheckAsync();
        await page.GetByLabel("Share content to improve suggestions").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save privacy choices" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Privacy choices saved.");

        await using var platform = new NpgsqlConnection(await fixture.PlatformConnectionStringAsync());
        var row = await platform.QuerySingleAsync<(bool AllDisabled, bool UsageEvents, bool ContentSharing, bool SupportAccess)>(
            "SELECT all_disabled, usage_events_enabled, content_sharing_enabled, support_access_enabled FROM telemetry_consent WHERE user_id = @id",
            new { id = Guid.Parse(user) });
        Assert.Equal((false, false, true, false), row);
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Anonymous usage events")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Share content to improve suggestions")).ToBeCheckedAsync();
    }

    [Fact]
    public async Task ASupportGrantIsCreatedListedAndRevoked()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/settings/privacy");

        await page.GetByLabel("For how long").SelectOptionAsync("24");
        await page.GetByLabel("Ticket reference").FillAsync("TICKET-4711");
        await page.GetByRole(AriaRole.Button, new() { Name = "Grant access" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "TICKET-4711", Exact = true })).ToBeVisibleAsync();
        Assert.Equal(1, await ActiveGrantsAsync(user));

        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke grant TICKET-4711" }).ClickAsync();

        await Assertions.Expect(page.GetByText("No active grants.")).ToBeVisibleAsync();
        Assert.Equal(0, await ActiveGrantsAsync(user));
    }

    [Fact]
    public async Task ProfileAndSearchProfilesAreSavedToTheUsersYaml()
    {
        var user = BrowserFixture.NewUserId();
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/settings/profile");

        await page.GetByLabel("Name").FillAsync("Ada Lovelace");
        await page.GetByLabel("Career summary").FillAsync("First programmer.\nLikes engines.");
        await page.GetByLabel("Mission preferences").FillAsync("Healthcare: patients first");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");
        await page.ReloadAsync();
        await Assertions.Expect(page.GetByLabel("Career summary")).ToHaveValueAsync("First programmer.\nLikes engines.");

        await page.GotoAsync("/peregrine/settings/search");
        await page.GetByLabel("search_profiles.yaml").FillAsync("profiles:\n- name: default\n  titles: [SRE]\n  locations: [Remote]\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save search profiles" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Search profiles saved");
        await page.GetByLabel("search_profiles.yaml").FillAsync("default:\n  job_titles: [SRE]\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save search profiles" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("profiles:");

        var config = Path.Combine(fixture.StateDirectory, "cloud-data", user, "peregrine", "config");
        Assert.Contains("Healthcare: patients first", await File.ReadAllTextAsync(Path.Combine(config, "user.yaml")), StringComparison.Ordinal);
        Assert.Contains("- SRE", await File.ReadAllTextAsync(Path.Combine(config, "search_profiles.yaml")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ADownloadedBackupRestoresTheDataAfterAPreview()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Kept In The Backup", "Acme", "https://jobs.example/backup", Score: 60));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/settings/data");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download everything" }).ClickAsync());
        var zip = Path.Combine(fixture.StateDirectory, $"{user}.zip");
        await download.SaveAsAsync(zip);
        Assert.EndsWith(".zip", download.SuggestedFilename, StringComparison.Ordinal);

        await page.GotoAsync("/peregrine/");
        await page.GetByLabel("Delete pending and rejected jobs").CheckAsync();
        await page.GetByLabel("I understand").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Clean up" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 job(s) deleted.");

        await page.GotoAsync("/peregrine/settings/data");
        await page.GetByLabel("Backup zip").SetInputFilesAsync(zip);
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview the restore" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Cell, new() { Name = "staging.db" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Restore now" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restore finished.");

        await page.GotoAsync("/peregrine/review");
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Kept In The Backup");
    }

    [Fact]
    public async Task ErasingTheAccountNeedsTheTypedIdThenLeavesTheSignInWall()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user, new SeedJob("Soon Gone", "Acme", "https://jobs.example/erase", Score: 10));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/settings/account");
        await Assertions.Expect(page.GetByText(user).First).ToBeVisibleAsync();

        await page.GetByLabel("Type your user id to confirm").FillAsync("not-my-id");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase my account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("nothing was erased");
        Assert.True(Directory.Exists(Path.Combine(fixture.StateDirectory, "cloud-data", user)));

        await page.GetByLabel("Type your user id to confirm").FillAsync(user);
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase my account" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your account was erased" })).ToBeVisibleAsync();
        Assert.False(Directory.Exists(Path.Combine(fixture.StateDirectory, "cloud-data", user)));

        var response = await page.GotoAsync("/peregrine/");
        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();
    }

    private async Task<long> ActiveGrantsAsync(string user)
    {
        await using var platform = new NpgsqlConnection(await fixture.PlatformConnectionStringAsync());
        return await platform.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM support_access_grants WHERE user_id = @id AND revoked_at IS NULL AND expires_at > now()", new { id = Guid.Parse(user) });
    }
}
