using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Demo.Tiers;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>The demo's tier pills: Free / Paid / Premium, default paid, invalid ignored, only with the demo flag on.</summary>
public sealed class TierSimulationTests
{
    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task TheTierPillsChangeAppConfigAndWhatGatesSee()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();
        var initial = await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/config/app");
        Assert.True(initial.GetProperty("isDemo").GetBoolean());
        Assert.False(initial.GetProperty("isCloud").GetBoolean());
        Assert.Equal("paid", initial.GetProperty("tier").GetString());

        using var premium = await DemoForms.PostAsync(visitor, $"{App}/demo/tier", ("tier", "premium"), ("return_url", $"{App}/settings"));
        Assert.Equal(HttpStatusCode.Redirect, premium.StatusCode);
        Assert.Equal($"{App}/settings", premium.Headers.Location?.ToString());
        var cookie = Assert.Single(premium.Headers.GetValues("Set-Cookie"), c => c.StartsWith(DemoTier.CookieName, StringComparison.Ordinal));
        Assert.Contains("path=/", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("premium", await TierAsync(visitor));
        Assert.Equal("premium", (await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/session")).GetProperty("tier").GetString());

        using var free = await visitor.PostAsJsonAsync($"{App}/api/demo/tier", new { tier = "free" });
        Assert.Equal(HttpStatusCode.OK, free.StatusCode);
        Assert.Equal("free", await TierAsync(visitor));

        using var invalidJson = await visitor.PostAsJsonAsync($"{App}/api/demo/tier", new { tier = "ultramax" });
        Assert.Equal(HttpStatusCode.BadRequest, invalidJson.StatusCode);
        Assert.Equal("application/problem+json", invalidJson.Content.Headers.ContentType?.MediaType);
        using var invalidForm = await DemoForms.PostAsync(visitor, $"{App}/demo/tier", ("tier", "ultramax"));
        Assert.Equal(HttpStatusCode.Redirect, invalidForm.StatusCode);
        Assert.Equal("free", await TierAsync(visitor));
    }

    [Theory]
    [Trait(Category.Name, Category.Service)]
    [InlineData("https://evil.example.com/phish")]
    [InlineData("//evil.example.com/")]
    [InlineData("/\\evil.example.com")]
    [InlineData("/elsewhere")]
    [InlineData("javascript:alert(1)")]
    public async Task TheTierFormNeverRedirectsOutsideTheApp(string returnUrl)
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();

        using var response = await DemoForms.PostAsync(visitor, $"{App}/demo/tier", ("tier", "free"), ("return_url", returnUrl));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"{App}/", response.Headers.Location?.ToString());
    }

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task TheTierFormWithoutAnAntiforgeryTokenChangesNothing()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();

        using var response = await visitor.PostAsync($"{App}/demo/tier", new FormUrlEncodedContent([new("tier", "free")]));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("paid", await TierAsync(visitor));
    }

    [Theory]
    [Trait(Category.Name, Category.Unit)]
    [InlineData("true", "premium", "premium")]
    [InlineData("true", "free", "free")]
    [InlineData("true", "ultramax", "paid")]
    [InlineData("true", null, "paid")]
    [InlineData("false", "premium", "free")]
    [InlineData("false", "paid", "free")]
    public async Task GatesUseTheSimulatedTierOnlyWhenTheDemoFlagIsOn(string demoMode, string? cookie, string expected)
    {
        var context = new DefaultHttpContext();
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"{DemoTier.CookieName}={cookie}";
        }

        var source = new DemoTierSource(
            new HttpContextAccessor { HttpContext = context },
            Options.Create(new PeregrineOptions { DemoModeFlag = demoMode }),
            new FreeTierSource());

        Assert.Equal(expected, await source.GetTierAsync("any-user"));
    }

    private static async Task<string> TierAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>($"{App}/api/config/app")).GetProperty("tier").GetString()!;
}
