using System.Net;
using System.Net.Http.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Peregrine.Tests.Ai;
using Peregrine.Tests.Demo;
using Peregrine.Tests.Infrastructure;
using Peregrine.Tests.Llm;

namespace Peregrine.Tests.Applying;

/// <summary>
/// The job page's letter form against the real Api and a loopback LLM: a post of another form never blanks the stored
/// letter, an empty box is never saved over it (only "Clear letter" removes it), Generate asks before replacing edits,
/// and Refine sends upstream's previous draft and feedback through the router for this user only.
/// </summary>
[Trait(Category.Name, Category.Service)]
public sealed class LetterPageTests
{
    private const string Stored = "Dear Acme,\n\nI would love to join.\n\nSincerely,\nAda Lovelace";

    [Fact]
    public async Task APostOfAnotherFormOnTheJobPageNeverBlanksTheStoredLetter()
    {
        await using var api = new PeregrineApiFactory();
        var user = Guid.NewGuid().ToString();
        using var client = PageClient.For(api, user);
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PatchAsJsonAsync($"/peregrine/api/jobs/{job}/cover_letter", new { text = Stored })).EnsureSuccessStatusCode();

        // Another form of the page: the letter field must still hold the stored letter in the page that comes back…
        using var applied = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "applied");
        var page = await PageClient.ParseAsync(applied);
        var shown = page.QuerySelector<IHtmlTextAreaElement>("textarea#letter")!.Value;
        // …so that saving the letter from that page keeps it.
        using var saved = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "cover-letter", ("Letter", shown), ("LetterAction", "save"));

        Assert.Equal(HttpStatusCode.OK, applied.StatusCode);
        Assert.Equal(Stored, shown.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal(Stored, await StoredLetterAsync(client, job));
    }

    [Fact]
    public async Task SavingAnEmptyLetterBoxKeepsTheStoredLetterAndPointsToClearLetter()
    {
        await using var api = new PeregrineApiFactory();
        using var client = PageClient.For(api, Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PatchAsJsonAsync($"/peregrine/api/jobs/{job}/cover_letter", new { text = Stored })).EnsureSuccessStatusCode();

        using var saved = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "cover-letter", ("Letter", "  \n "), ("LetterAction", "save"));
        var page = await PageClient.ParseAsync(saved);

        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal(Stored, await StoredLetterAsync(client, job));
        Assert.Equal(Stored, page.QuerySelector<IHtmlTextAreaElement>("textarea#letter")!.Value.Replace("\r\n", "\n", StringComparison.Ordinal));
        var notice = page.QuerySelector("#cover-letter .notice-error")!.TextContent;
        Assert.Contains("Nothing was saved", notice, StringComparison.Ordinal);
        Assert.Contains("Clear letter", notice, StringComparison.Ordinal);
        Assert.DoesNotContain("Letter saved.", page.QuerySelector("#cover-letter")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClearLetterDeletesTheStoredLetterOnlyWhenChosen()
    {
        await using var api = new PeregrineApiFactory();
        using var client = PageClient.For(api, Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PatchAsJsonAsync($"/peregrine/api/jobs/{job}/cover_letter", new { text = Stored })).EnsureSuccessStatusCode();
        var before = await PageClient.ParseAsync(await client.GetAsync($"/peregrine/jobs/{job}"));
        var clear = before.QuerySelector<IHtmlButtonElement>("#cover-letter button[name=LetterAction][value=clear]");

        using var cleared = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "cover-letter", ("Letter", Stored), ("LetterAction", "clear"));
        var page = await PageClient.ParseAsync(cleared);

        Assert.NotNull(clear);
        Assert.Equal("Clear letter", clear.TextContent.Trim());
        Assert.False(string.IsNullOrEmpty(clear.GetAttribute("data-confirm")));
        Assert.True(string.IsNullOrEmpty(await StoredLetterAsync(client, job)));
        Assert.Equal(string.Empty, page.QuerySelector<IHtmlTextAreaElement>("textarea#letter")!.Value);
        Assert.Equal("Letter cleared.", page.QuerySelector("#cover-letter .notice")!.TextContent.Trim());
        Assert.Null(page.QuerySelector("#cover-letter button[name=LetterAction][value=clear]"));
    }

    [Fact]
    public async Task GenerateAsksBeforeReplacingEditsThatAreNotSaved()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = _ => "Dear Acme,\n\nA brand new letter.\n\nAda";
        await using var api = new PeregrineApiFactory().WithPlatformLlm(AiApi.PlatformConfig(llm));
        using var client = PageClient.For(api, Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        (await client.PatchAsJsonAsync($"/peregrine/api/jobs/{job}/cover_letter", new { text = Stored })).EnsureSuccessStatusCode();
        var edited = Stored + "\nP.S. I can start in January.";

        using var asked = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "cover-letter", ("Letter", edited), ("LetterAction", "generate"));
        var askedPage = await PageClient.ParseAsync(asked);

        Assert.Contains("You have changes that are not saved", askedPage.QuerySelector("#cover-letter")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(edited, askedPage.QuerySelector<IHtmlTextAreaElement>("textarea#letter")!.Value.Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal("none", (await (await client.GetAsync($"/peregrine/api/jobs/{job}/cover_letter/task")).JsonAsync()).GetProperty("status").GetString());
        Assert.Equal(0, llm.AcceptedConnections);

        using var replaced = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "cover-letter", ("Letter", edited), ("LetterAction", "generate-anyway"));
        var run = await AiApi.WaitForTaskAsync(client, $"/peregrine/api/jobs/{job}/cover_letter/task");

        Assert.Equal("completed", run.Status);
        Assert.Equal("Dear Acme,\n\nA brand new letter.\n\nAda", await StoredLetterAsync(client, job));
    }

    [Fact]
    public async Task RefineSendsTheDraftOnTheFormAndTheFeedbackThroughTheRouterAsThisUser()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = prompt => prompt.Contains("Please revise accordingly.", StringComparison.Ordinal) ? "Dear Acme,\n\nShorter now.\n\nAda" : "unexpected";
        await using var api = new PeregrineApiFactory().WithPlatformLlm(AiApi.PlatformConfig(llm));
        var ada = Guid.NewGuid().ToString();
        using var client = PageClient.For(api, ada);
        AiApi.WriteProfile(api, ada, "Ada Lovelace", "Precise and warm.");
        AiApi.WriteProfile(api, Guid.NewGuid().ToString(), "Grace Hopper", "Direct.");
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");
        const string draft = "Dear Acme,\n\nMy unsaved draft, which is far too long.\n\nAda";

        using var refined = await DemoForms.SubmitPageFormAsync(client, $"/peregrine/jobs/{job}", "cover-letter",
            ("Letter", draft), ("LetterAction", "refine"), ("Feedback", "Make it shorter."));
        var run = await AiApi.WaitForTaskAsync(client, $"/peregrine/api/jobs/{job}/cover_letter/task");

        Assert.Equal(HttpStatusCode.OK, refined.StatusCode);
        Assert.Equal("completed", run.Status);
        var prompt = Assert.Single(llm.Requests).ToJsonString().Replace("\\n", "\n", StringComparison.Ordinal);
        Assert.Contains("Previous draft:\nDear Acme,\n\nMy unsaved draft, which is far too long.\n\nAda", prompt, StringComparison.Ordinal);
        Assert.Contains("User feedback / requested changes:\nMake it shorter.", prompt, StringComparison.Ordinal);
        Assert.Contains("Candidate: Ada Lovelace", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("Grace", prompt, StringComparison.Ordinal);
        Assert.Equal("Dear Acme,\n\nShorter now.\n\nAda", await StoredLetterAsync(client, job));
    }

    [Fact]
    public async Task TheGenerateEndpointTakesUpstreamsRefinementParametersAsAnOptionalBody()
    {
        await using var llm = await FakeLlmServer.StartAsync();
        llm.Reply = prompt => prompt.Contains("Mention Rust.", StringComparison.Ordinal) ? "Revised with Rust." : "Fresh letter.";
        await using var api = new PeregrineApiFactory().WithPlatformLlm(AiApi.PlatformConfig(llm));
        using var client = api.CreateClient(Guid.NewGuid().ToString());
        var job = await AiApi.CreateJobAsync(client, "Staff Engineer", "Acme");

        using var fresh = await client.PostAsync($"/peregrine/api/jobs/{job}/cover_letter/generate", null);
        await AiApi.WaitForTaskAsync(client, $"/peregrine/api/jobs/{job}/cover_letter/task");
        var first = await StoredLetterAsync(client, job);
        using var refine = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/cover_letter/generate", new { previous_result = first, feedback = "Mention Rust." });
        await AiApi.WaitForTaskAsync(client, $"/peregrine/api/jobs/{job}/cover_letter/task");
        using var tooLong = await client.PostAsJsonAsync($"/peregrine/api/jobs/{job}/cover_letter/generate", new { feedback = new string('x', 2001) });

        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        Assert.Equal("Fresh letter.", first);
        Assert.Equal(HttpStatusCode.OK, refine.StatusCode);
        Assert.True((await refine.JsonAsync()).GetProperty("is_new").GetBoolean());
        Assert.Equal("Revised with Rust.", await StoredLetterAsync(client, job));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.Equal("feedback is at most 2000 characters", (await tooLong.JsonAsync()).GetProperty("detail").GetString());
    }

    private static async Task<string?> StoredLetterAsync(HttpClient client, long job) =>
        (await (await client.GetAsync($"/peregrine/api/jobs/{job}")).JsonAsync()).GetProperty("cover_letter").GetString();
}
