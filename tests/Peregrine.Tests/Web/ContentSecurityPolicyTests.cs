using System.Collections.Concurrent;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Web;

/// <summary>
/// Under the strict policy every page is served with, the pages, the keyboard shortcuts and the forms still work in
/// Chromium, and the browser reports no violation: neither a <c>securitypolicyviolation</c> event in the page nor a
/// console message. axe still finds nothing, and a page framed by another site is refused.
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class ContentSecurityPolicyTests(BrowserFixture fixture, ITestOutputHelper output)
{
    /// <summary>Runs before any page script, in every document: the policy cannot block it (it comes from the browser's side).</summary>
    private const string ViolationRecorder = """
        window.__cspViolations = [];
        document.addEventListener('securitypolicyviolation', e => window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`));
        """;

    [Fact]
    public async Task PagesShortcutsAndFormsWorkWithNoViolationAndNoAxeFinding()
    {
        var user = BrowserFixture.NewUserId();
        await fixture.SeedJobsAsync(user,
            new SeedJob("Platform Engineer", "Acme", "https://jobs.example/csp/1", Score: 90),
            new SeedJob("Site Reliability Engineer", "Globex", "https://jobs.example/csp/2", Score: 80),
            new SeedJob("Data Engineer", "Initech", "https://jobs.example/csp/3", Score: 70));
        await using var context = await fixture.SignedInContextAsync(user);
        var violations = await RecordViolationsAsync(context);
        var page = await context.NewPageAsync();

        var home = await page.GotoAsync("/peregrine/");
        Assert.Contains("frame-ancestors 'none'", (await home!.AllHeadersAsync()).GetValueOrDefault("content-security-policy"), StringComparison.Ordinal);
        await CheckAsync(page, violations, "home");
        await page.GetByLabel("Listing URLs, one per line").FillAsync("https://jobs.example/csp/added");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add jobs" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToBeVisibleAsync();
        await CheckAsync(page, violations, "home after a post");

        await page.GotoAsync("/peregrine/review");
        await CheckAsync(page, violations, "review");
        await BrowserFixture.PressShortcutAsync(page, "a");
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Site Reliability Engineer");
        await BrowserFixture.PressShortcutAsync(page, "r");
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Data Engineer");
        await BrowserFixture.PressShortcutAsync(page, "u");
        await Assertions.Expect(page.Locator(".job-card h2")).ToHaveTextAsync("Site Reliability Engineer");
        await CheckAsync(page, violations, "review after shortcuts");

        await page.GotoAsync("/peregrine/review?status=approved");
        await page.Locator(".job-list a").First.ClickAsync();
        await CheckAsync(page, violations, "job");

        await page.GotoAsync("/peregrine/settings/profile");
        await page.GetByLabel("Name").FillAsync("Ada Lovelace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save profile" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Profile saved.");
        await CheckAsync(page, violations, "profile");

        await page.GotoAsync("/peregrine/settings/search");
        await page.GetByText("Show the file").ClickAsync();
        await page.GetByLabel("Searches as YAML").FillAsync("profiles: [");
        await page.GetByRole(AriaRole.Button, new() { Name = "Replace with this" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Nothing was saved.");
        await CheckAsync(page, violations, "search with an error");

        foreach (var path in new[] { "interviews", "settings/data", "settings/privacy", "settings/account", "no-such-page" })
        {
            await page.GotoAsync($"/peregrine/{path}");
            await CheckAsync(page, violations, path);
        }

        Assert.Empty(violations);
    }

    [Fact]
    public async Task TheDemoAndTheSignInWallHaveNoViolationEither()
    {
        await using var context = await fixture.NewContextAsync();
        var violations = await RecordViolationsAsync(context);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/peregrine/");
        await CheckAsync(page, violations, "sign-in wall");
        await page.GotoAsync(new Uri(fixture.DemoAddress, "/peregrine/").ToString());
        await page.GetByRole(AriaRole.Button, new() { Name = "Free", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Free", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
        await CheckAsync(page, violations, "demo home");
        await page.GotoAsync(new Uri(fixture.DemoAddress, "/peregrine/review").ToString());
        await BrowserFixture.PressShortcutAsync(page, "s");
        await CheckAsync(page, violations, "demo review");

        Assert.Empty(violations);
    }

    [Fact]
    public async Task APageFramedByAnotherSiteIsNotShown()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        // A page of another origin (a data: URL is opaque) framing the Privacy page: the clickjacking set-up.
        var target = new Uri(fixture.BastionAddress, "/peregrine/settings/privacy").ToString();
        await page.SetContentAsync($"<iframe id=\"victim\" src=\"{target}\" title=\"victim\"></iframe>");

        await page.WaitForTimeoutAsync(2000);

        var frame = page.Frames.FirstOrDefault(f => f.Url.Contains("/peregrine/settings/privacy", StringComparison.Ordinal));
        var shown = frame is not null && await frame.EvaluateAsync<bool>("() => document.body !== null && document.body.innerText.includes('Peregrine')");
        Assert.False(shown);
    }

    private async Task<ConcurrentQueue<string>> RecordViolationsAsync(IBrowserContext context)
    {
        var violations = new ConcurrentQueue<string>();
        await context.AddInitScriptAsync(ViolationRecorder);
        context.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Permissions-Policy", StringComparison.OrdinalIgnoreCase))
            {
                violations.Enqueue($"console: {message.Text}");
            }
        };
        return violations;
    }

    private async Task CheckAsync(IPage page, ConcurrentQueue<string> violations, string name)
    {
        // Not NetworkIdle: live progress polls while a task runs. A page with dates reloads once the browser has told
        // the server its zone; read the page that stays.
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.zone !== 'unset' || !document.querySelector('time[data-local]')",
            null, new() { Timeout = (float)BrowserFixture.Timeout.TotalMilliseconds });
        await page.WaitForLoadStateAsync(LoadState.Load);
        foreach (var violation in await page.EvaluateAsync<string[]>("() => window.__cspViolations || []"))
        {
            violations.Enqueue($"{name}: {violation}");
        }

        var results = await page.RunAxe().WaitAsync(BrowserFixture.Timeout);
        foreach (var finding in results.Violations)
        {
            output.WriteLine($"{name}: {finding.Id}: {finding.Help}");
        }

        foreach (var violation in violations)
        {
            output.WriteLine(violation);
        }

        Assert.Empty(results.Violations);
    }
}
