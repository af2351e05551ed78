using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Peregrine.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Peregrine.Tests.Web;

/// <summary>
/// Every page, signed in with data on every section, in the light and the dark theme (the device's preference, which
/// "auto" follows), at 1280 px and on a 390 px phone: axe-core finds nothing, and no page scrolls sideways (measured in
/// the browser). Each is captured; with <c>PEREGRINE_SCREENSHOTS=&lt;dir&gt;</c> the PNGs are kept there
/// (docs/screenshots: <c>name.png</c> is 1280 px light, <c>name-390-dark.png</c> a dark phone).
/// </summary>
[Collection(BrowserCollection.Name)]
[Trait(Category.Name, Category.Browser)]
public sealed class AccessibilityTests(BrowserFixture fixture, ITestOutputHelper output)
{
    public static readonly IReadOnlyList<(string Path, string Name)> SignedInPages =
    [
        ("/peregrine/", "home"),
        ("/peregrine/review", "review"),
        ("/peregrine/review?status=approved", "review-approved"),
        ("/peregrine/jobs/{job}", "job"),
        ("/peregrine/interviews", "interviews"),
        ("/peregrine/jobs/{interview}/prep", "prep"),
        ("/peregrine/settings/profile", "settings-profile"),
        ("/peregrine/settings/search", "settings-search"),
        ("/peregrine/settings/appearance", "settings-appearance"),
        ("/peregrine/settings/privacy", "settings-privacy"),
        ("/peregrine/settings/data", "settings-data"),
        ("/peregrine/settings/account", "settings-account"),
    ];

    public static TheoryData<string, string, int, string> EveryPageInEveryLook()
    {
        var data = new TheoryData<string, string, int, string>();
        foreach (var (path, name) in SignedInPages)
        {
            foreach (var width in new[] { 1280, BrowserFixture.PhoneWidth })
            {
                foreach (var scheme in new[] { "light", "dark" })
                {
                    data.Add(path, name, width, scheme);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPageInEveryLook))]
    public async Task EverySignedInPageHasNoAxeViolationsAndNoSidewaysScrollInEitherTheme(string path, string name, int width, string scheme)
    {
        var user = BrowserFixture.NewUserId();
        var ids = await LookSeed.ArrangeAsync(fixture, user);
        await using var context = await fixture.SignedInContextAsync(user, width, Scheme(scheme));
        var page = await context.NewPageAsync();

        var response = await page.GotoAsync(path.Replace("{job}", ids.Job.ToString(), StringComparison.Ordinal).Replace("{interview}", ids.Interview.ToString(), StringComparison.Ordinal));

        Assert.Equal(200, response!.Status);
        await AssertLooksRightAsync(page, name, width, scheme);
    }

    [Fact]
    public async Task TheSignInWallHasNoAxeViolations()
    {
        await using var context = await fixture.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/peregrine/");

        await AssertLooksRightAsync(page, "sign-in", 1280, "light");
    }

    [Theory]
    [InlineData("/peregrine/", "demo-home", 1280, "light")]
    [InlineData("/peregrine/review", "demo-review", 1280, "light")]
    [InlineData("/peregrine/interviews", "demo-interviews", 1280, "dark")]
    [InlineData("/peregrine/", "demo-home", BrowserFixture.PhoneWidth, "light")]
    [InlineData("/peregrine/interviews", "demo-interviews", BrowserFixture.PhoneWidth, "dark")]
    public async Task TheDemosFirstScreensHaveNoAxeViolationsAndFitAPhone(string path, string name, int width, string scheme)
    {
        await using var context = await fixture.NewContextAsync(width, Scheme(scheme), fixture.DemoAddress.ToString());
        var page = await context.NewPageAsync();

        await page.GotoAsync(path);

        await Assertions.Expect(page.GetByText("Public demo", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Paid", Exact = true })).ToHaveAttributeAsync("aria-pressed", "true");
        await AssertLooksRightAsync(page, name, width, scheme);
    }

    private static ColorScheme Scheme(string scheme) => scheme == "dark" ? ColorScheme.Dark : ColorScheme.Light;

    private async Task AssertLooksRightAsync(IPage page, string name, int width, string scheme)
    {
        // A page with dates drawn before the user's zone is known reloads once site.js has told the server the zone;
        // axe must read the page that stays.
        await page.WaitForFunctionAsync("() => document.documentElement.dataset.zone !== 'unset' || !document.querySelector('time[data-local]')",
            null, new() { Timeout = (float)BrowserFixture.Timeout.TotalMilliseconds });
        await page.WaitForLoadStateAsync(LoadState.Load);
        var results = await page.RunAxe().WaitAsync(BrowserFixture.Timeout);
        foreach (var violation in results.Violations)
        {
            output.WriteLine($"{violation.Id}: {violation.Help} — {string.Join(" | ", violation.Nodes.Select(n => n.Html))}");
        }

        var overflow = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, window.innerWidth]");
        var directory = Environment.GetEnvironmentVariable("PEREGRINE_SCREENSHOTS") ?? Path.Combine(fixture.StateDirectory, "screenshots");
        Directory.CreateDirectory(directory);
        var file = $"{name}{(width == BrowserFixture.PhoneWidth ? "-390" : "")}{(scheme == "dark" ? "-dark" : "")}.png";
        await page.ScreenshotAsync(new() { Path = Path.Combine(directory, file), FullPage = true });

        Assert.Empty(results.Violations);
        Assert.True(overflow[0] <= overflow[1], $"{name} at {width} px is {overflow[0]} px wide: it scrolls sideways");
    }
}
