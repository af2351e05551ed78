using System.Net;
using System.Text.Json;
using Dapper;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;
using Peregrine.Tests.Platform;

namespace Peregrine.Tests.Ai;

[Collection(PlatformCollection.Name)]
[Trait(Category.Name, Category.Service)]
public sealed class CoverLetterTests(PostgresFixture postgres)
{
    [Fact]
    public async Task EachUsersLetterIsWrittenFromTheirOwnProfileSavedToTheJobCountedAndExportedAsPdf()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        // The fake signs the letter with whoever the prompt says the candidate is.
        llm.Reply = prompt =>
        {
            var candidate = prompt.Split('\n').First(l => l.Contains("Candidate: ", StringComparison.Ordinal)).Split("Candidate: ")[1].Trim();
            return $"Dear hiring team,\n\nI would love to build ledgers with you.\nIt would be a joy.\n\nSincerely,\n{candidate}";
        };
        await using var api = await AiApi.StartAsync(AiApi.PlatformConfig(llm), postgres);
        var ada = Guid.NewGuid().ToString();
        var grace = Guid.NewGuid().ToString();
        using var adaClient = api.CreateClient(ada);
        using var graceClient = api.CreateClient(grace);
        var adaJob = await AiApi.CreateJobAsync(adaClient, "Staff Engineer", "Acme Ledger, Inc.");
        var graceJob = await AiApi.CreateJobAsync(graceClient, "Compiler Lead", "Navy Systems");
        AiApi.WriteProfile(api, ada, "Ada Lovelace", "Precise and warm.");
        AiApi.WriteProfile(api, grace, "Grace Hopper", "Direct, with humour.");

        var queued = await Task.WhenAll(
            adaClient.PostAsync($"/peregrine/api/jobs/{adaJob}/cover_letter/generate", null),
            graceClient.PostAsync($"/peregrine/api/jobs/{graceJob}/cover_letter/generate", null));
        var again = await (await adaClient.PostAsync($"/peregrine/api/jobs/{adaJob}/cover_letter/generate", null)).JsonAsync();
        var results = await Task.WhenAll(
            AiApi.WaitForTaskAsync(adaClient, $"/peregrine/api/jobs/{adaJob}/cover_letter/task"),
            AiApi.WaitForTaskAsync(graceClient, $"/peregrine/api/jobs/{graceJob}/cover_letter/task"));

        var first = await queued[0].JsonAsync();
        Assert.True(first.GetProperty("is_new").GetBoolean());
        // Asked again while the first is queued or running, the same task answers; once it finished, a new one would.
        Assert.True(again.GetProperty("task_id").GetInt64() == first.GetProperty("task_id").GetInt64() || again.GetProperty("is_new").GetBoolean());
        Assert.All(results, r => Assert.Equal("completed", r.Status));
        await AiApi.WaitForTaskAsync(adaClient, $"/peregrine/api/jobs/{adaJob}/cover_letter/task");

        var prompts = llm.Requests.Select(r => r.ToJsonString()).ToList();
        Assert.InRange(prompts.Count, 2, 3);
        Assert.Single(prompts, p => p.Contains("Ada Lovelace", StringComparison.Ordinal) && !p.Contains("Grace", StringComparison.Ordinal));
        Assert.Single(prompts, p => p.Contains("Grace Hopper", StringComparison.Ordinal) && !p.Contains("Ada", StringComparison.Ordinal));
        Assert.Contains(prompts, p => p.Contains("Precise and warm.", StringComparison.Ordinal) && p.Contains("Led the ledger rewrite", StringComparison.Ordinal)
            && p.Contains("Tools that help people find work", StringComparison.Ordinal) && p.Contains("Acme Ledger", StringComparison.Ordinal));

        var adaLetter = (await (await adaClient.GetAsync($"/peregrine/api/jobs/{adaJob}")).JsonAsync()).GetProperty("cover_letter").GetString();
        var graceLetter = (await (await graceClient.GetAsync($"/peregrine/api/jobs/{graceJob}")).JsonAsync()).GetProperty("cover_letter").GetString();
        Assert.EndsWith("Ada Lovelace", adaLetter);
        Assert.EndsWith("Grace Hopper", graceLetter);

        const string events = """
            SELECT count(*) FROM usage_events
            WHERE user_id = @user::uuid AND event_type = 'cover_letter_generated' AND (metadata->>'words')::int = @words
            """;
        var words = adaLetter!.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.Equal(1, await postgres.WaitForCountAsync(events, new { user = ada, words }, 1));

        var pdf = await adaClient.GetAsync($"/peregrine/api/jobs/{adaJob}/cover_letter/pdf");
        Assert.Equal(HttpStatusCode.OK, pdf.StatusCode);
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        Assert.Matches(@"^CoverLetter_AcmeLedgerInc_\d{4}-\d{2}-\d{2}\.pdf$", pdf.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var text = await PdfText.ReadAsync(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("I would love to build ledgers with you. It would be a joy.", text, StringComparison.Ordinal);
        Assert.Contains("Ada Lovelace", text, StringComparison.Ordinal);

        var withoutLetter = await AiApi.CreateJobAsync(graceClient, "Another role", "Elsewhere");
        var none = await graceClient.GetAsync($"/peregrine/api/jobs/{withoutLetter}/cover_letter/pdf");
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal("application/problem+json", none.Content.Headers.ContentType?.MediaType);
        Assert.Equal("No cover letter found", (await none.JsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AJobThatIsNotTheCallersCannotBeQueued()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        await using var api = await AiApi.StartAsync(AiApi.PlatformConfig(llm), postgres);
        using var owner = api.CreateClient(Guid.NewGuid().ToString());
        using var stranger = api.CreateClient(Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(owner, "Engineer", "Acme");

        var response = await stranger.PostAsync($"/peregrine/api/jobs/{job}/cover_letter/generate", null);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("Job not found", (await response.JsonAsync()).GetProperty("detail").GetString());
        Assert.Equal(0, llm.AcceptedConnections);
    }
}
