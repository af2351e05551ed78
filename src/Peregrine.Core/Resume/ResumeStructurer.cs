using System.Text.Json;
using Microsoft.Extensions.Options;
using Peregrine.Llm;
using Peregrine.Sessions;

namespace Peregrine.Resume;

/// <summary>
/// Optional: asks the platform's LLM (through the router, so the demo refuses before any I/O) to structure the text of
/// an uploaded résumé, and merges its answer over the rule-based profile field by field. Whatever goes wrong (no AI
/// here, a slow or malformed answer), the rule-based profile stands and the user is told why in one sentence.
/// </summary>
public sealed class ResumeStructurer(ILlmRouter router, IOptions<ResumeOptions> options)
{
    public const string NotAvailable = "AI structuring was not available, so the profile comes from the file alone.";

    private const string System = """
        You turn the text of a résumé into JSON. Answer with one JSON object only, no prose, with these keys:
        name, email, phone, linkedin_url, city, career_summary (2-3 sentences from the text),
        experience (list of {title, company, period, location, industry, responsibilities (one per line)}),
        education (list of {degree, field, institution, graduation_year}),
        skills (tools and technologies), domains (industries worked in), keywords (practices such as mentoring).
        Use only facts from the text; leave a value empty when the text does not say.
        """;

    public async Task<(ResumeProfile Profile, string? Note)> StructureAsync(UserContext user, ParsedResume parsed, CancellationToken cancellationToken)
    {
        try
        {
            router.ThrowIfDisabled();
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(options.Value.StructuringTimeout);
            var answer = await router.CompleteAsync(user, LlmChain.General, System, parsed.Text, limit.Token);
            return Merge(parsed.Profile, answer) is { } merged ? (merged, null) : (parsed.Profile, NotAvailable);
        }
        catch (AiDisabledInDemoException e)
        {
            return (parsed.Profile, e.Message);
        }
        catch (Exception e) when (e is LlmUnavailableException or OperationCanceledException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            return (parsed.Profile, NotAvailable);
        }
    }

    /// <summary>The model's fields where it gave one, the parser's elsewhere; null when the answer holds no JSON object.</summary>
    internal static ResumeProfile? Merge(ResumeProfile parsed, string answer)
    {
        var start = answer.IndexOf('{', StringComparison.Ordinal);
        var end = answer.LastIndexOf('}');
        if (start < 0 || end <= start)
        {
            return null;
        }

        ResumeProfile? model;
        try
        {
            model = JsonSerializer.Deserialize<ResumeProfile>(answer.AsSpan(start, end - start + 1), ResumeWorker.Json);
        }
        catch (JsonException)
        {
            return null;
        }

        if (model is null)
        {
            return null;
        }

        model = ResumeRules.Bounded(model);
        static string Pick(string ours, string theirs) => string.IsNullOrWhiteSpace(theirs) ? ours : theirs;
        return parsed with
        {
            Name = Pick(parsed.Name, model.Name),
            Email = Pick(parsed.Email, model.Email),
            Phone = Pick(parsed.Phone, model.Phone),
            LinkedinUrl = Pick(parsed.LinkedinUrl, model.LinkedinUrl),
            City = Pick(parsed.City, model.City),
            CareerSummary = Pick(parsed.CareerSummary, model.CareerSummary),
            Experience = model.Experience.Count > 0 ? model.Experience : parsed.Experience,
            Education = model.Education.Count > 0 ? model.Education : parsed.Education,
            Skills = ResumeRules.Chips([.. parsed.Skills, .. model.Skills]),
            Domains = ResumeRules.Chips([.. parsed.Domains, .. model.Domains]),
            Keywords = ResumeRules.Chips([.. parsed.Keywords, .. model.Keywords]),
        };
    }
}
