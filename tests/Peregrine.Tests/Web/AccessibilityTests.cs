using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Web;

/// <summary>
/// axe-core on every page, signed in with some data, plus the sign-in wall and the demo. Each page is also captured;
/// with <c>PEREGRINE_SCREENSHOTS=&lt;dir&gt;</c> the PNGs are kept there (the README's docs/screenshots come from this).
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output)
{
    public static readonly TheoryData<string, string> SignedInPages = new()
    {
        { "/peregrine/", "home" },
        { "/peregrine/review", "review" },
        { "/peregrine/review?status=approved", "review-approved" },
        { "/peregrine/jobs/{job}", "job" },
        { "/peregrine/interviews", "interviews" },
        { "/peregrine/settings/profile", "settings-profile" },
        { "/peregrine/settings/search", "settings-search" },
        { "/peregrine/settings/privacy", "settings-privacy" },
        { "/peregrine/settings/data", "settings-data" },
        { "/peregrine/settings/account", "settings-account" },
    };

    [Theory]
    [MemberData(nameof(SignedInPages))]
    public async Task EverySignedInPageHasNoAxeViolations(string path, string name)
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user,
            new SeedJob("Senior Platform Engineer", "Acme Robotics", "https://jobs.example/a11y/1", Score: 92, Gaps: "Kubernetes, Terraform, Go",
                Location: "Berlin or remote", Salary: "€85k–€100k", Description: "Build the platform our robots run on.\n\nYou will own CI, observability and the developer experience."),
            new SeedJob("Site Reliability Engineer", "Globex", "https://jobs.example/a11y/2", Score: 74, Location: "Remote"));
        var jobId = await fixture.WithUserDatabaseAsync(user, async db =>
        {
            var best = await Dapper.SqlMapper.ExecuteScalarAsync<long>(db, "SELECT id FROM jobs ORDER BY match_score DESC LIMIT 1;");
            await Dapper.SqlMapper.ExecuteAsync(db, "UPDATE jobs SET status = 'approved' WHERE id <> @best;", new { best });
            return best;
        });
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(path.Replace("{job}", jobId.ToString(), StringComparison.Ordinal));

        Assert.Equal(200, response!.Status);
        await AssertNoViolationsAsync(page, name);
    }

    [Fact]
    public async Task TheSignInWallHasNoAxeViolations()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/");

        await AssertNoViolationsAsync(page, "sign-in");
    }

    [Fact]
    public async Task TheDemoShowsItsBannerAndTierPillsWithoutAxeViolations()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(fixture.DemoAddress, "/peregrine/").ToString());

        await Assertions.Expect(page.GetByText("Public demo", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("sample data; AI features are disabled")).ToBeVisibleAsync();
        foreach (var tier in new[] { "Free", "Paid", "Premium" })
        {
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = tier, Exact = true })).ToBeVisibleAsync();
        }

        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Paid", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reset demo" })).ToBeVisibleAsync();
        await page.GotoAsync(new Uri(fixture.DemoAddress, "/peregrine/review").ToString());
        await AssertNoViolationsAsync(page, "demo-review");
    }

    private async Task AssertNoViolationsAsync(IPage page, string name)
    {
        var results = await page.RunAxe().WaitAsync(BrowserFixture.Timeout);
        foreach (var violation in results.Violations)
        {
            output.WriteLine($"{violation.Id}: {violation.Help} — {string.Join(" | ", violation.Nodes.Select(n => n.Html))}");
        }

        var directory = Environment.GetEnvironmentVariable("PEREGRINE_SCREENSHOTS") ?? Path.Combine(fixture.StateDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, name + ".png"), FullPage = true });
        Assert.Empty(results.Violations);
    }
}
