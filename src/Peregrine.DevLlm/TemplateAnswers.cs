using System.Text.RegularExpressions;

namespace Peregrine.DevLlm;

/// <summary>
/// What the development LLM says: for a cover-letter prompt a template letter filled from the prompt's candidate and
/// job lines; for anything else a short note. Both start by saying that no model wrote them.
/// </summary>
public static partial class TemplateAnswers
{
    public const string Label = "[Development LLM: this text is a template, not written by a model.]";

    public static string For(string prompt)
    {
        var candidate = Line(CandidateLine(), prompt) ?? "The candidate";
        if (JobLine().Match(prompt) is { Success: true } job)
        {
            var title = job.Groups["title"].Value.Trim();
            var company = job.Groups["company"].Value.Trim();
            return $"""
                {Label}

                Dear {company} hiring team,

                I am writing to apply for the {title} role at {company}. This paragraph stands where a model would explain why my experience fits the role.

                A second paragraph would connect what matters to me with what {company} does. Point Peregrine at a real backend (vLLM, Ollama or Anthropic) to get a real letter.

                Sincerely,
                {candidate}
                """;
        }

        return $"{Label} It received a prompt of {prompt.Length} characters. Configure a real LLM backend for real answers.";
    }

    private static string? Line(Regex pattern, string prompt) =>
        pattern.Match(prompt) is { Success: true } match ? match.Groups["value"].Value.Trim() : null;

    [GeneratedRegex(@"^(?:user: )?Candidate: (?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex CandidateLine();

    [GeneratedRegex(@"^Job: (?<title>.+) at (?<company>.+)$", RegexOptions.Multiline)]
    private static partial Regex JobLine();
}
