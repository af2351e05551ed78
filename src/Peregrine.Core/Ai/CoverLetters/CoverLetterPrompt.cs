using System.Text;

namespace Peregrine.Ai.CoverLetters;

/// <summary>The cover-letter prompt: the candidate (this user's profile and résumé) and the job, nothing else.</summary>
public static class CoverLetterPrompt
{
    public const string System = """
        You write job application cover letters in the candidate's own voice. Answer with the letter text only:
        no subject line, no address block, no placeholders in brackets, no markdown. Separate paragraphs with a blank
        line. Aim for 250 to 400 words, and sign with the candidate's name.
        """;

    public static string Build(CandidateProfile candidate, JobForPrompt job, CoverLetterRefinement? refinement = null)
    {
        var prompt = new StringBuilder();
        var name = string.IsNullOrWhiteSpace(candidate.Name) ? "the candidate" : candidate.Name;
        prompt.Append("Candidate: ").AppendLine(name);
        AppendSection(prompt, "Career summary", candidate.CareerSummary);
        AppendSection(prompt, "Voice", candidate.CandidateVoice);
        if (candidate.MissionPreferences.Count > 0)
        {
            prompt.AppendLine("What matters to the candidate:");
            foreach (var (industry, note) in candidate.MissionPreferences)
            {
                prompt.Append("- ").Append(industry).Append(": ").AppendLine(note);
            }
        }

        AppendSection(prompt, "Resume", candidate.Resume);
        prompt.AppendLine();
        prompt.Append("Job: ").Append(job.Title ?? "(untitled)").Append(" at ").AppendLine(job.Company ?? "(unknown company)");
        AppendSection(prompt, "Location", job.Location);
        AppendSection(prompt, "Job description", job.DescriptionForPrompt);
        prompt.AppendLine();
        prompt.Append("Write the cover letter from ").Append(name).Append(" for the ").Append(job.Title ?? "role")
            .Append(" role at ").Append(job.Company ?? "this company").AppendLine(".");
        // Upstream's refinement wording: the draft and the requested changes follow the job, in the user message only.
        if (!string.IsNullOrWhiteSpace(refinement?.PreviousResult))
        {
            prompt.AppendLine().AppendLine("---").AppendLine("Previous draft:").AppendLine(refinement.PreviousResult.Trim());
        }

        if (!string.IsNullOrWhiteSpace(refinement?.Feedback))
        {
            prompt.AppendLine().AppendLine("User feedback / requested changes:").AppendLine(refinement.Feedback.Trim())
                .AppendLine().AppendLine("Please revise accordingly.");
        }

        return prompt.ToString();
    }

    private static void AppendSection(StringBuilder prompt, string heading, string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            prompt.Append(heading).AppendLine(":").AppendLine(text.Trim());
        }
    }

    public static int CountWords(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length;
}
