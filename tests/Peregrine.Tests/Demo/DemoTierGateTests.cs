using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Ai;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Demo.Tiers;
using Peregrine.Llm;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>
/// The pills change what a visitor can see (as in upstream's demo): company research (paid) is offered on the Apply page
/// and queued by the JSON API for Paid and Premium, and refused with a tier problem and a "needs the Paid tier" note for
/// Free. A permitted request then meets the demo's AI refusal, never a backend.
/// </summary>
public sealed class DemoTierGateTests
{
    private const string Gate = "Company research needs the Paid tier.";
    private const string Offer = "Research this company";

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task TheTierPillsChangeAppConfigTheResearchGateAndTheApplyPage()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();
        var job = (await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=1"))[0].GetProperty("id").GetInt64();
        var apply = $"{App}/jobs/{job}";

        Assert.Equal("paid", await TierAsync(visitor));
        var paidPage = await visitor.GetStringAsync(apply);
        Assert.Contains(Offer, paidPage, StringComparison.Ordinal);
        Assert.DoesNotContain(Gate, paidPage, StringComparison.Ordinal);
        using (var paid = await visitor.PostAsync($"{App}/api/jobs/{job}/research/generate", null))
        {
            Assert.Equal(HttpStatusCode.OK, paid.StatusCode);
        }

        Assert.Equal(("failed", AiDisabledInDemoException.Text), await AiApi.WaitForTaskAsync(visitor, $"{App}/api/jobs/{job}/research/task"));

        using (await DemoForms.PostAsync(visitor, $"{App}/demo/tier", ("tier", "free")))
        {
        }

        Assert.Equal("free", await TierAsync(visitor));
        using (var free = await visitor.PostAsync($"{App}/api/jobs/{job}/research/generate", null))
        {
            Assert.Equal(HttpStatusCode.Forbidden, free.StatusCode);
            Assert.Equal("application/problem+json", free.Content.Headers.ContentType?.MediaType);
            var problem = await free.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(("company_research", "paid", "free"),
                (problem.GetProperty("feature").GetString(), problem.GetProperty("required_tier").GetString(), problem.GetProperty("tier").GetString()));
        }

        var freePage = await visitor.GetStringAsync(apply);
        Assert.Contains(Gate, freePage, StringComparison.Ordinal);
        Assert.DoesNotContain(Offer, freePage, StringComparison.Ordinal);

        using (var premium = await visitor.PostAsJsonAsync($"{App}/api/demo/tier", new { tier = "premium" }))
        {
            Assert.Equal(HttpStatusCode.OK, premium.StatusCode);
        }

        Assert.Equal("premium", await TierAsync(visitor));
        Assert.Contains(Offer, await visitor.GetStringAsync(apply), StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task TheApplyPagesGenerateButtonsShowTheDemoRefusal()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();
        var job = (await visitor.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=1"))[0].GetProperty("id").GetInt64();
        var apply = $"{App}/jobs/{job}";

        using var research = await DemoForms.SubmitPageFormAsync(visitor, apply, "research");
        using var letter = await DemoForms.SubmitPageFormAsync(visitor, apply, "cover-letter", ("Letter", "Dear team,"), ("LetterAction", "generate"));

        Assert.Equal(HttpStatusCode.OK, research.StatusCode);
        Assert.Contains(AiDisabledInDemoException.Text, await research.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, letter.StatusCode);
        var letterPage = await letter.Content.ReadAsStringAsync();
        Assert.Contains(AiDisabledInDemoException.Text, letterPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Writing your letter in the background", letterPage, StringComparison.Ordinal);
    }

    [Theory]
    [Trait(Category.Name, Category.Unit)]
    [InlineData("true", "paid", FeatureTiers.CompanyResearch, true, "paid")]
    [InlineData("true", "free", FeatureTiers.CompanyResearch, false, "paid")]
    [InlineData("true", "paid", "model_fine_tuning", false, "premium")]
    [InlineData("true", "premium", "model_fine_tuning", true, "premium")]
    [InlineData("true", null, FeatureTiers.CompanyResearch, true, "paid")]
    [InlineData("false", "premium", FeatureTiers.CompanyResearch, false, "paid")]
    public async Task TheGateReadsTheFeatureTableWithTheSimulatedTierOnlyInTheDemo(
        string demoMode, string? cookie, string feature, bool allowed, string minimum)
    {
        var context = new DefaultHttpContext();
        if (cookie is not null)
        {
            context.Request.Headers.Cookie = $"{DemoTier.CookieName}={cookie}";
        }

        var tiers = new DemoTierSource(
            new HttpContextAccessor { HttpContext = context }, Options.Create(new PeregrineOptions { DemoModeFlag = demoMode }), new FreeTierSource());
        var visitor = new UserContext
        {
            UserId = "visitor",
            App = "peregrine",
            AppDirectory = "/nonexistent",
            IsCloud = false,
            Database = new DatabaseLocation("visitor", "/nonexistent/staging.db", Key: null),
        };

        var access = await new FeatureGate(tiers, new DemoLlmRouter()).CheckAsync(visitor, feature, CancellationToken.None);

        Assert.Equal((allowed, minimum), (access.Allowed, access.MinimumTier));
    }

    private static async Task<string> TierAsync(HttpClient client) =>
        (await client.GetFromJsonAsync<JsonElement>($"{App}/api/config/app")).GetProperty("tier").GetString()!;
}
