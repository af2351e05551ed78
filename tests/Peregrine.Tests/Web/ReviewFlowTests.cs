using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Web;

[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class ReviewFlowTests(BrowserFixture fixture)
{
    [Fact]
    public async Task ASignedOutBrowserGetsTheSignInWallAndTheDevSignInReturnsToThePageItAskedFor()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync("/peregrine/review?status=approved");

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Peregrine" })).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Review" })).ToBeVisibleAsync();
        Assert.EndsWith("/peregrine/review?status=approved", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApprovingAndRejectingInReviewChangesTheCountsBestMatchFirst()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user,
            new SeedJob("Platform Engineer", "Acme", "https://jobs.example/acme/1", Score: 91, Gaps: "Kubernetes, Go"),
            new SeedJob("Data Analyst", "Globex", "https://jobs.example/globex/2", Score: 40),
            new SeedJob("Site Reliability Engineer", "Initech", "https://jobs.example/initech/3", Score: 77));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/peregrine/review");
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Platform Engineer");
        await Assertions.Expect(page.Locator(".gaps li")).ToHaveTextAsync(["Kubernetes", "Go"]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Site Reliability Engineer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reject" }).ClickAsync();
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Data Analyst");

        var counts = await CountsAsync(user);
        Assert.Equal((1, 1, 1), (counts.GetProperty("pending").GetInt64(), counts.GetProperty("approved").GetInt64(), counts.GetProperty("rejected").GetInt64()));

        await page.GotoAsync("/peregrine/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "1 approved" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "1 rejected" })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task UndoPutsTheLastDecisionBackAndKeyboardShortcutsDecide()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user,
            new SeedJob("Backend Developer", "Umbrella", "https://jobs.example/umbrella/1", Score: 80),
            new SeedJob("QA Engineer", "Hooli", "https://jobs.example/hooli/2", Score: 60));
        await using var context = await fixture.SignedInContextAsync(user);
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/review");

        await BrowserFixture.PressShortcutAsync(page, "r");
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("QA Engineer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();

        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Backend Developer");
        Assert.Equal(2, (await CountsAsync(user)).GetProperty("pending").GetInt64());
        await page.GetByRole(AriaRole.Button, new() { Name = "Skip" }).ClickAsync();
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("QA Engineer");
        Assert.Equal(2, (await CountsAsync(user)).GetProperty("pending").GetInt64());
    }

    private async Task<JsonElement> CountsAsync(string user)
    {
        using var api = fixture.ApiClientFor(user);
        return await api.GetFromJsonAsync<JsonElement>("/peregrine/api/jobs/counts").WaitAsync(BrowserFixture.Timeout);
    }
}
