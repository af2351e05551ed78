using System.Text.Json;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Peregrine.Llm;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Web;

/// <summary>
/// The public demo in Chromium, as two anonymous visitors of the AppHost's real demo process: banner and tier pills,
/// a review decision, a saved letter, the AI refusal where Generate would write, the research gate following the
/// pills, and a reset; the second visitor sees none of the first's changes.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class DemoBrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private const string Letter = "Dear Example team, I would love to build your platform. (written in the demo browser test)";

    [Fact]
    public async Task AVisitorTriesTiersReviewsWritesMeetsTheAiRefusalAndResetsWhileAnotherSeesOnlyTheSeed()
    {
        await using var alice = await VisitorAsync();
        await using var bob = await VisitorAsync();
        var page = await alice.NewPageAsync();
        await page.GotoAsync("/peregrine/");

        await Assertions.Expect(page.Locator(".demo-banner p")).ToHaveTextAsync("Public demo — sample data; AI features are disabled.");
        await Assertions.Expect(Pill(page, "Paid")).ToHaveAttributeAsync("aria-pressed", "true");
        await Pill(page, "Free").ClickAsync();
        await Assertions.Expect(Pill(page, "Free")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(Pill(page, "Paid")).ToHaveAttributeAsync("aria-pressed", "false");
        var tierCookie = Assert.Single(await alice.CookiesAsync(), c => c.Name == "prgn_demo_tier");
        Assert.Equal(("free", SameSiteAttribute.Lax), (tierCookie.Value, tierCookie.SameSite));

        var seed = await CountsAsync(alice);
        var approvedBefore = await IdsAsync(alice, "approved");
        await page.GotoAsync("/peregrine/review");
        var first = await page.Locator(".job-card h2").First.TextContentAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(page.Locator(".job-card h2").First).Not.ToHaveTextAsync(first!);
        var approved = Assert.Single((await IdsAsync(alice, "approved")).Except(approvedBefore));
        await page.GotoAsync("/peregrine/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{Count(seed, "pending") - 1} to review" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{Count(seed, "approved") + 1} approved" })).ToBeVisibleAsync();

        await page.GotoAsync($"/peregrine/jobs/{approved}");
        await Assertions.Expect(page.GetByText("Company research needs the Paid tier.")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Research this company" })).ToHaveCountAsync(0);
        await AssertNoViolationsAsync(page, "demo-job-free");
        await page.GetByLabel("Your letter").FillAsync(Letter);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save letter" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Letter saved.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Generate with AI" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(AiDisabledInDemoException.Text);

        await Pill(page, "Paid").ClickAsync();
        await Assertions.Expect(Pill(page, "Paid")).ToHaveAttributeAsync("aria-pressed", "true");
        Assert.EndsWith($"/peregrine/jobs/{approved}", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByText("Company research needs the Paid tier.")).ToHaveCountAsync(0);
        await page.GetByRole(AriaRole.Button, new() { Name = "Research this company" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(AiDisabledInDemoException.Text);
        await AssertNoViolationsAsync(page, "demo-job-paid");

        var other = await bob.NewPageAsync();
        await other.GotoAsync($"/peregrine/jobs/{approved}");
        await Assertions.Expect(Pill(other, "Paid")).ToHaveAttributeAsync("aria-pressed", "true");
        await Assertions.Expect(other.GetByLabel("Your letter")).Not.ToHaveValueAsync(Letter);
        await Assertions.Expect(other.GetByText("Status: Pending")).ToBeVisibleAsync();
        Assert.Equal(seed.ToString(), (await CountsAsync(bob)).ToString());

        await page.GetByRole(AriaRole.Button, new() { Name = "Reset demo" }).ClickAsync();
        await page.GotoAsync("/peregrine/");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = $"{Count(seed, "pending")} to review" })).ToBeVisibleAsync();
        Assert.Equal(seed.ToString(), (await CountsAsync(alice)).ToString());
        await page.GotoAsync($"/peregrine/jobs/{approved}");
        await Assertions.Expect(page.GetByLabel("Your letter")).Not.ToHaveValueAsync(Letter);
    }

    private async Task<IBrowserContext> VisitorAsync()
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.DemoAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout((float)BrowserFixture.Timeout.TotalMilliseconds);
        return context;
    }

    private static ILocator Pill(IPage page, string tier) =>
        page.Locator(".demo-banner").GetByRole(AriaRole.Button, new() { Name = tier, Exact = true });

    private static long Count(JsonElement counts, string status) => counts.GetProperty(status).GetInt64();

    /// <summary>The visitor's own JSON API, with the browser context's cookies (its sandbox).</summary>
    private static async Task<JsonElement> GetJsonAsync(IBrowserContext visitor, string path)
    {
        var response = await visitor.APIRequest.GetAsync(path);
        Assert.True(response.Ok, $"{path}: {response.Status}");
        return (await response.JsonAsync())!.Value;
    }

    private static Task<JsonElement> CountsAsync(IBrowserContext visitor) => GetJsonAsync(visitor, "/peregrine/api/jobs/counts");

    private static async Task<long[]> IdsAsync(IBrowserContext visitor, string status) =>
        [.. (await GetJsonAsync(visitor, $"/peregrine/api/jobs?status={status}&limit=500")).EnumerateArray().Select(j => j.GetProperty("id").GetInt64())];

    private async Task AssertNoViolationsAsync(IPage page, string name)
    {
        var results = await page.RunAxe().WaitAsync(BrowserFixture.Timeout);
        foreach (var violation in results.Violations)
        {
            output.WriteLine($"{violation.Id}: {violation.Help} — {string.Join(" | ", violation.Nodes.Select(n => n.Html))}");
        }

        Assert.Empty(results.Violations);
    }
}
