using System.Net;
using System.Net.Http.Json;
using Dapper;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Ai;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class ResearchAndQaTests(PostgresFixture postgres)
{
    private const string Briefing = """
        ## Company Overview
        Acme makes ledgers.
        ## Leadership & Culture
        A calm CEO.
        ## Tech Stack
        C# and Postgres.
        ## Funding & Market Position
        Profitable.
        ## Competitors
        Globex.
        ## Red Flags
        None known.
        ## Inclusion & Accessibility
        Step-free offices.
        ## Talking Points
        Ask about the ledger rewrite.
        """;

    [Fact]
    public async Task AFreeUserWithoutByokIsRefusedResearchAndAPaidUserGetsUpstreamsFields()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = _ => Briefing;
        await using var api = await AiApi.StartAsync(AiApi.PlatformConfig(llm), postgres);
        var free = Guid.NewGuid().ToString();
        var paid = Guid.NewGuid().ToString();
        using var freeClient = api.CreateClient(free);
        using var paidClient = api.CreateClient(paid);
        var freeJob = await AiApi.CreateJobAsync(freeClient, "Engineer", "Acme");
        var paidJob = await AiApi.CreateJobAsync(paidClient, "Engineer", "Acme");
        await using (var platform = await postgres.OpenAsync())
        {
            await platform.ExecuteAsync("UPDATE subscriptions SET tier = 'paid' WHERE user_id = @paid::uuid", new { paid });
        }

        var refused = await freeClient.PostAsync($"/peregrine/api/jobs/{freeJob}/research/generate", null);
        var missing = await paidClient.GetAsync($"/peregrine/api/jobs/{paidJob}/research");
        var queued = await paidClient.PostAsync($"/peregrine/api/jobs/{paidJob}/research/generate", null);
        var run = await AiApi.WaitForTaskAsync(paidClient, $"/peregrine/api/jobs/{paidJob}/research/task");
        var research = await (await paidClient.GetAsync($"/peregrine/api/jobs/{paidJob}/research")).JsonAsync();

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.JsonAsync();
        // The cloud never offers an LLM of the user's own: its BYOK is not honoured there.
        Assert.Equal("Company research requires a Paid plan.", problem.GetProperty("detail").GetString());
        Assert.Equal("company_research", problem.GetProperty("feature").GetString());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("No research found for this job", (await missing.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
        Assert.Equal("completed", run.Status);
        Assert.Equal(
            ["job_id", "company_brief", "ceo_brief", "talking_points", "tech_brief", "funding_brief", "red_flags", "accessibility_brief", "generated_at"],
            research.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Acme makes ledgers.", research.GetProperty("company_brief").GetString());
        Assert.Equal("Ask about the ledger rewrite.", research.GetProperty("talking_points").GetString());
        Assert.Equal("Step-free offices.", research.GetProperty("accessibility_brief").GetString());
        Assert.Single(llm.Requests);
    }

    [Fact]
    public async Task QuestionsRoundTripAndSuggestAnswersFromTheJobAndResume()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = prompt => prompt.Contains("Led the ledger rewrite", StringComparison.Ordinal) ? "I led a ledger rewrite." : "no resume seen";
        await using var api = await AiApi.StartAsync(AiApi.PlatformConfig(llm));
        var user = Guid.NewGuid().ToString();
        using var client = api.CreateClient(user);
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");
        AiApi.WriteProfile(api, user, "Ada Lovelace", "Warm.");

        var empty = await (await client.GetAsync($"/peregrine/api/jobs/{job}/qa")).JsonAsync();
        var saved = await client.PatchAsJsonAsync($"/peregrine/api/jobs/{job}/qa", new { items = new object[] { new { id = "q1", question = "Why Acme?", answer = "" }, new { id = 2, question = "Notice?", answer = "Two weeks" } } });
        var read = await (await client.GetAsync($"/peregrine/api/jobs/{job}/qa")).JsonAsync();
        var suggestion = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = "Why Acme?" });
        var blank = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = " " });
        var tooMany = await client.PatchAsJsonAsync($"/peregrine/api/jobs/{job}/qa", new { items = Enumerable.Range(0, 201).Select(i => new { id = i, question = "q", answer = "a" }) });
        var unknownJob = await client.GetAsync("/peregrine/api/jobs/999999/qa");

        Assert.Equal("""{"items":[]}""", empty.GetRawText());
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("""{"items":[{"id":"q1","question":"Why Acme?","answer":""},{"id":2,"question":"Notice?","answer":"Two weeks"}]}""", read.GetRawText());
        Assert.Equal(HttpStatusCode.OK, suggestion.StatusCode);
        Assert.Equal("I led a ledger rewrite.", (await suggestion.JsonAsync()).GetProperty("answer").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, blank.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownJob.StatusCode);
        Assert.Equal("Job not found", (await unknownJob.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WhenTheOnlyBackendIsDownSuggestAnswersAProblemWithoutItsCause()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Behaviour = FakeBehaviour.Fail;
        await using var api = await AiApi.StartAsync(AiApi.PlatformConfig(llm));
        using var client = api.CreateClient(Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Engineer", "Acme");

        var response = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/qa/suggest", new { question = "Why?" });
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("LLM generation failed: All LLM backends exhausted", body, StringComparison.Ordinal);
        Assert.DoesNotContain("fake backend failure", body, StringComparison.Ordinal);
        Assert.DoesNotContain("platform", body, StringComparison.Ordinal);
    }
}
