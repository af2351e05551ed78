using Peregrine.Ai;
using Peregrine.Ai.CoverLetters;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Applying;

/// <summary>The letter's PDF and its refinement prompt, read by real tools: poppler's pdftotext, not our own writer.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class LetterDocumentTests
{
    private const string Letter = "Dear Acme hiring team,\n\nI would love to join the platform team.\nI have run services like yours.\n\nSincerely,\nDemo User\nBerlin";

    [Fact]
    public async Task ThePdfKeepsEveryLineBreakAndParagraphTheUserTyped()
    {
        var lines = await PdfText.ReadLayoutLinesAsync(CoverLetterPdf.Render(Letter));

        Assert.Equal(
            ["Dear Acme hiring team,", "", "I would love to join the platform team.", "I have run services like yours.", "", "Sincerely,", "Demo User", "Berlin"],
            lines.SkipWhile(l => l.Length == 0));
    }

    [Fact]
    public async Task ALongLineStillWrapsInsideTheMargins()
    {
        var sentence = string.Join(' ', Enumerable.Repeat("The quick brown fox jumps over the lazy dog.", 6));

        var lines = (await PdfText.ReadLayoutLinesAsync(CoverLetterPdf.Render($"{sentence}\n\nThanks,\nAda"))).Where(l => l.Length > 0).ToList();

        Assert.True(lines.Count >= 4, string.Join(" | ", lines));
        Assert.Equal(["Thanks,", "Ada"], lines[^2..]);
        Assert.Equal(sentence, string.Join(' ', lines[..^2]));
    }

    [Fact]
    public void ARefinementPutsUpstreamsDraftAndFeedbackAfterTheJobInTheUserMessage()
    {
        var candidate = new CandidateProfile("Ada Lovelace", "Ten years of payments.", "Warm.", new Dictionary<string, string>(), "skills: C#");
        var job = new JobForPrompt(1, "Staff Engineer", "Acme", "Remote", "Build ledgers.");

        var prompt = CoverLetterPrompt.Build(candidate, job, new CoverLetterRefinement("Dear Acme,\nOld draft.", "Shorter, and mention the migration."));

        Assert.Contains("Job: Staff Engineer at Acme", prompt, StringComparison.Ordinal);
        Assert.Contains("---\nPrevious draft:\nDear Acme,\nOld draft.\n", prompt.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("User feedback / requested changes:\nShorter, and mention the migration.\n\nPlease revise accordingly.", prompt.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.True(prompt.IndexOf("Previous draft:", StringComparison.Ordinal) > prompt.IndexOf("Job:", StringComparison.Ordinal));
        Assert.DoesNotContain("Previous draft", CoverLetterPrompt.Build(candidate, job), StringComparison.Ordinal);
    }

    [Fact]
    public void TheTaskParamsAreUpstreamsSnakeCaseNamesAndReadBack()
    {
        var refinement = new CoverLetterRefinement("Draft", "Feedback");

        var stored = refinement.ToParams();

        Assert.Equal("""{"previous_result":"Draft","feedback":"Feedback"}""", stored);
        Assert.Equal(refinement, CoverLetterRefinement.FromParams(stored));
        Assert.Null(new CoverLetterRefinement(" ", null).ToParams());
        Assert.Null(CoverLetterRefinement.FromParams("not json"));
        Assert.Null(CoverLetterRefinement.FromParams("""{"previous_result": 5}"""));
        Assert.NotNull(new CoverLetterRefinement(new string('x', CoverLetterService.MaxLetterChars + 1), "f").Problem());
        Assert.NotNull(new CoverLetterRefinement("d", new string('x', CoverLetterService.MaxFeedbackChars + 1)).Problem());
    }
}
