using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Peregrine.Demo.Sandboxes;
using Peregrine.Tests.Infrastructure;
using static Peregrine.Tests.Infrastructure.DemoFactory;

namespace Peregrine.Tests.Demo;

/// <summary>Real HTTP against the demo host: every visitor (cookie jar) works on a private copy of the seed.</summary>
[Trait(Category.Name, Category.Service)]
public sealed class SandboxTests
{
    [Fact]
    public async Task TwoVisitorsChangeTheirOwnDataAndSeeOnlyTheirOwn()
    {
        await using var demo = new DemoFactory();
        using var alice = demo.CreateVisitor();
        using var bob = demo.CreateVisitor();
        var seed = await CountsAsync(bob);

        var pending = await alice.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=1");
        var jobId = pending[0].GetProperty("id").GetInt64();
        (await alice.PostAsync($"{App}/api/jobs/{jobId}/reject", null)).EnsureSuccessStatusCode();
        (await alice.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/alice-only", title = "Alice's job" })).EnsureSuccessStatusCode();

        var aliceCounts = await CountsAsync(alice);
        var bobCounts = await CountsAsync(bob);
        Assert.Equal(seed.GetProperty("pending").GetInt64(), aliceCounts.GetProperty("pending").GetInt64());
        Assert.Equal(seed.GetProperty("rejected").GetInt64() + 1, aliceCounts.GetProperty("rejected").GetInt64());
        Assert.Equal(seed.GetProperty("total").GetInt64() + 1, aliceCounts.GetProperty("total").GetInt64());
        Assert.Equal(seed.GetRawText(), bobCounts.GetRawText());
        var bobPending = await bob.GetFromJsonAsync<JsonElement>($"{App}/api/jobs?status=pending&limit=100");
        Assert.DoesNotContain(bobPending.EnumerateArray(), job => job.GetProperty("url").GetString()!.Contains("alice-only", StringComparison.Ordinal));
        Assert.Contains(bobPending.EnumerateArray(), job => job.GetProperty("id").GetInt64() == jobId);
        Assert.NotEqual(await VisitorIdAsync(alice), await VisitorIdAsync(bob));
        Assert.Equal(2, Directory.GetDirectories(demo.SandboxesDirectory).Length);
    }

    [Fact]
    public async Task AVisitorKeepsOneSandboxAcrossRequestsAndGetsAnHttponlyLaxCookie()
    {
        await using var demo = new DemoFactory();
        using var anonymous = demo.CreateClientWithCookie(null);

        using var first = await anonymous.GetAsync($"{App}/api/session");

        var setCookie = Assert.Single(first.Headers.GetValues("Set-Cookie"), c => c.StartsWith(VisitorCookie.Name + "=", StringComparison.Ordinal));
        Assert.Contains("httponly", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", setCookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("no-store", first.Headers.CacheControl?.ToString());
        var cookie = setCookie.Split(';')[0];
        using var returning = demo.CreateClientWithCookie(cookie);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user_id").GetString();
        Assert.Equal(id, await VisitorIdAsync(returning));
        Assert.Equal(id, await VisitorIdAsync(returning));
        Assert.Single(Directory.GetDirectories(demo.SandboxesDirectory));
    }

    [Theory]
    [InlineData("tampered")]
    [InlineData("raw-id")]
    [InlineData("other-demo")]
    [InlineData("garbage")]
    public async Task AForgedVisitorCookieGetsANewSandboxNeverAnotherVisitors(string forgery)
    {
        await using var demo = new DemoFactory();
        using var victim = demo.CreateClientWithCookie(null);
        using var first = await victim.GetAsync($"{App}/api/session");
        var victimCookie = first.Headers.GetValues("Set-Cookie").First(c => c.StartsWith(VisitorCookie.Name, StringComparison.Ordinal)).Split(';')[0];
        var victimId = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user_id").GetString()!;
        using var victimAgain = demo.CreateClientWithCookie(victimCookie);
        (await victimAgain.PostAsJsonAsync($"{App}/api/jobs", new { url = "https://jobs.example.com/victim-secret", title = "Victim's" })).EnsureSuccessStatusCode();

        var value = victimCookie[(VisitorCookie.Name.Length + 1)..];
        var forged = forgery switch
        {
            "tampered" => value[..^2] + (value[^2] == 'A' ? 'B' : 'A') + value[^1],
            "raw-id" => victimId,
            "other-demo" => await CookieFromAnotherDemoAsync(victimId),
            _ => "not-a-cookie-at-all",
        };
        using var attacker = demo.CreateClientWithCookie($"{VisitorCookie.Name}={forged}");

        using var session = await attacker.GetAsync($"{App}/api/session");
        var attackerId = (await session.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("user_id").GetString();
        var counts = await CountsAsync(attacker);

        Assert.NotEqual(victimId, attackerId);
        Assert.Contains(session.Headers.GetValues("Set-Cookie"), c => c.StartsWith(VisitorCookie.Name + "=", StringComparison.Ordinal));
        Assert.Equal(24, counts.GetProperty("total").GetInt64());
    }

    /// <summary>A validly protected cookie for the victim's id, but under another demo's key ring.</summary>
    private static async Task<string> CookieFromAnotherDemoAsync(string victimId)
    {
        await using var other = new DemoFactory();
        _ = other.Server;
        var cookie = other.Services.GetService(typeof(VisitorCookie)) as VisitorCookie;
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        cookie!.Write(context, victimId);
        var header = context.Response.Headers.SetCookie.ToString();
        return header.Split(';')[0][(VisitorCookie.Name.Length + 1)..];
    }

    [Fact]
    public async Task ACfSessionCookieIsTreatedAsAnAnonymousVisitor()
    {
        await using var demo = new DemoFactory();
        const string cloudUser = "11111111-2222-4333-8444-555555555555";
        using var client = demo.CreateClientWithCookie($"cf_session={TestTokens.Session(cloudUser)}");

        using var response = await client.GetAsync($"{App}/api/session");
        var session = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(cloudUser, session.GetProperty("user_id").GetString());
        Assert.True(VisitorCookie.IsVisitorId(session.GetProperty("user_id").GetString()!));
        Assert.False(session.GetProperty("is_cloud").GetBoolean());
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith(VisitorCookie.Name + "=", StringComparison.Ordinal));
        Assert.False(Directory.Exists(Path.Combine(demo.Root, cloudUser)));
    }

    [Fact]
    public async Task ResetRestoresTheSeed()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();
        var seed = await CountsAsync(visitor);
        var id = await VisitorIdAsync(visitor);
        (await visitor.PostAsJsonAsync($"{App}/api/jobs/purge", new { statuses = new[] { "pending", "approved", "applied" } })).EnsureSuccessStatusCode();
        await File.WriteAllTextAsync(Path.Combine(demo.SandboxesDirectory, id, "config", "user.yaml"), "name: Changed\n");
        Assert.NotEqual(seed.GetRawText(), (await CountsAsync(visitor)).GetRawText());

        using var reset = await visitor.PostAsync($"{App}/api/demo/reset", null);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal(seed.GetRawText(), (await CountsAsync(visitor)).GetRawText());
        Assert.Equal(id, await VisitorIdAsync(visitor));
        Assert.StartsWith("# The public demo's profile", await File.ReadAllTextAsync(Path.Combine(demo.SandboxesDirectory, id, "config", "user.yaml")), StringComparison.Ordinal);
        Assert.Single(Directory.GetDirectories(demo.SandboxesDirectory));
    }

    [Fact]
    public async Task ResetByFormChecksTheAntiforgeryTokenAndReturnsToALocalPage()
    {
        await using var demo = new DemoFactory();
        using var visitor = demo.CreateVisitor();
        (await visitor.PostAsJsonAsync($"{App}/api/jobs/purge", new { statuses = new[] { "pending" } })).EnsureSuccessStatusCode();
        var purged = await CountsAsync(visitor);

        using var forged = await visitor.PostAsync($"{App}/demo/reset", new FormUrlEncodedContent([new("return_url", $"{App}/jobs")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(purged.GetRawText(), (await CountsAsync(visitor)).GetRawText());

        using var reset = await DemoForms.PostAsync(visitor, $"{App}/demo/reset", ("return_url", $"{App}/jobs?status=pending"));

        Assert.Equal(HttpStatusCode.Redirect, reset.StatusCode);
        Assert.Equal($"{App}/jobs?status=pending", reset.Headers.Location?.ToString());
        Assert.Equal(10, (await CountsAsync(visitor)).GetProperty("pending").GetInt64());
    }
}
