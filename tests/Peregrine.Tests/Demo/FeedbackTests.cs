using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Feedback;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Demo;

/// <summary>Feedback is off in the demo (403 with its message) and in the cloud, which gets its own honest message.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class FeedbackTests
{
    private static readonly object Report = new { title = "Bug", description = "It broke", type = "bug" };

    [Fact]
    public async Task TheDemoDisablesFeedback()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();

        var status = await visitor.GetFromJsonAsync<JsonElement>("/peregrine/api/feedback/status");
        using var post = await visitor.PostAsJsonAsync("/peregrine/api/feedback", Report);

        Assert.False(status.GetProperty("enabled").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Feedback disabled in demo mode.", (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheCloudDisablesFeedbackWithoutClaimingToBeTheDemo()
    {
        await using var api = new PeregrineApiFactory();
        using var client = api.CreateClient("11111111-2222-4333-8444-555555555555");

        var status = await client.GetFromJsonAsync<JsonElement>("/peregrine/api/feedback/status");
        using var post = await client.PostAsJsonAsync("/peregrine/api/feedback", Report);

        Assert.False(status.GetProperty("enabled").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
        var detail = (await post.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString();
        Assert.Equal(FeedbackApi.DisabledInCloud, detail);
        Assert.DoesNotContain("demo", detail, StringComparison.OrdinalIgnoreCase);
    }
}
