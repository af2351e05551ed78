using System.Text;

namespace Peregrine.Ai.Research;

/// <summary>The research prompt asks for fixed <c>## </c> sections, so each lands in its <c>company_research</c> column.</summary>
public static class ResearchPrompt
{
    public const string Company = "Company Overview";
    public const string Leadership = "Leadership & Culture";
    public const string Tech = "Tech Stack";
    public const string Funding = "Funding & Market Position";
    public const string Competitors = "Competitors";
    public const string RedFlags = "Red Flags";
    public const string Accessibility = "Inclusion & Accessibility";
    public const string TalkingPoints = "Talking Points";

    private static readonly string[] Headings = [Company, Leadership, Tech, Funding, Competitors, RedFlags, Accessibility, TalkingPoints];

    public static readonly string System =
        "You brief a job candidate before an interview. Answer in Markdown with exactly these sections, each a '## ' "
        + "heading followed by a few short paragraphs or bullets: " + string.Join(", ", Headings)
        + ". Say plainly when you do not know something; never invent figures.";

    public static string Build(CandidateProfile candidate, JobForPrompt job)
    {
        var prompt = new StringBuilder();
        prompt.Append("Company: ").AppendLine(job.Company ?? "(unknown)");
        prompt.Append("Role: ").AppendLine(job.Title ?? "(untitled)");
        if (!string.IsNullOrWhiteSpace(job.Description))
        {
            prompt.AppendLine("Job description:").AppendLine(job.DescriptionForPrompt);
        }

        if (!string.IsNullOrWhiteSpace(candidate.CareerSummary))
        {
            prompt.AppendLine("Candidate background (for the talking points):").AppendLine(candidate.CareerSummary);
        }

        return prompt.ToString();
    }

    /// <summary>Text under each known heading; unknown headings stay in the previous section.</summary>
    public static Dictionary<string, string> Sections(string output)
    {
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var text = new StringBuilder();
        void Flush()
        {
            if (current is not null && text.ToString().Trim() is { Length: > 0 } body)
            {
                sections[current] = body;
            }

            text.Clear();
        }

        foreach (var line in output.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var heading = line.TrimStart().StartsWith("##", StringComparison.Ordinal) ? line.Trim().TrimStart('#').Trim() : null;
            var known = heading is null ? null : Headings.FirstOrDefault(h => heading.StartsWith(h, StringComparison.OrdinalIgnoreCase));
            if (known is not null)
            {
                Flush();
                current = known;
            }
            else
            {
                text.AppendLine(line);
            }
        }

        Flush();
        return sections;
    }
}
