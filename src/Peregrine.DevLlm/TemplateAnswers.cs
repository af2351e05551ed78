using System.Text.RegularExpressions;

namespace Peregrine.DevLlm;

/// <summary>
/// What the development LLM says: for a cover-letter prompt a template letter filled from the prompt's candidate and
/// job lines (a revision names the feedback it was given); for a research prompt every section the research parser
/// knows; for an application question a first-person answer; for anything else a short note. Every answer starts by
/// saying that no model wrote it.
/// </summary>
public static partial class TemplateAnswers
{
    public const string Label = "[Development LLM: this text is a template, not written by a model.]";

    public static string For(string prompt)
    {
        var candidate = Line(CandidateLine(), prompt) ?? "The candidate";
        if (QuestionLine().Match(prompt) is { Success: true } question)
        {
            return $"{Label} I would answer \"{question.Groups["value"].Value.Trim()}\" with an example from my résumé that fits this role.";
        }

        if (CompanyLine().Match(prompt) is { Success: true } researched)
        {
            var name = researched.Groups["value"].Value.Trim();
            return string.Join("\n\n", ResearchSections.Select(section => $"## {section}\n{Label} What a model would say about {name}: {section.ToLowerInvariant()}."));
        }

        if (JobLine().Match(prompt) is { Success: true } job)
        {
            var title = job.Groups["title"].Value.Trim();
            var company = job.Groups["company"].Value.Trim();
            var feedback = Line(FeedbackLine(), prompt);
            var revision = feedback is null ? string.Empty : $"\n\nRevised as asked: {feedback}";
            return $"""
                {Label}{revision}

                Dear {company} hiring team,

                I am writing to apply for the {title} role at {company}. This paragraph stands where a model would explain why my experience fits the role.

                A second paragraph would connect what matters to me with what {company} does. Point Peregrine at a real backend (vLLM, Ollama or Anthropic) to get a real letter.

                Sincerely,
                {candidate}
                """;
        }

        return $"{Label} It received a prompt of {prompt.Length} characters. Configure a real LLM backend for real answers.";
    }

    /// <summary>The research parser's headings (the Core's research prompt asks for exactly these).</summary>
    private static readonly string[] ResearchSections =
    [
        "Company Overview", "Leadership & Culture", "Tech Stack", "Funding & Market Position", "Competitors", "Red Flags",
        "Inclusion & Accessibility", "Talking Points",
    ];

    private static string? Line(Regex pattern, string prompt) =>
        pattern.Match(prompt) is { Success: true } match ? match.Groups["value"].Value.Trim() : null;

    [GeneratedRegex(@"^(?:user: )?Candidate: (?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex CandidateLine();

    [GeneratedRegex(@"^Job: (?<title>.+) at (?<company>.+)$", RegexOptions.Multiline)]
    private static partial Regex JobLine();

    /// <summary>The line after upstream's refinement heading: what the user asked to change.</summary>
    [GeneratedRegex(@"^User feedback / requested changes:\r?\n(?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex FeedbackLine();

    [GeneratedRegex(@"^Question: (?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex QuestionLine();

    [GeneratedRegex(@"^(?:user: )?Company: (?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex CompanyLine();
}
