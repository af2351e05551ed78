namespace Peregrine.Tasks;

/// <summary>
/// The <c>task_type</c> values of <c>background_tasks</c> (upstream's names, stored in users' DBs), each with the words
/// a page shows for it. Handlers, endpoints and pages name a type only through these.
/// </summary>
public static class TaskTypes
{
    /// <summary>Fills a job added by URL from its page.</summary>
    public const string ScrapeUrl = "scrape_url";

    /// <summary>Searches the boards of the user's search profiles.</summary>
    public const string Discovery = "discovery";

    /// <summary>Re-fetches missing or short descriptions.</summary>
    public const string EnrichDescriptions = "enrich_descriptions";

    public const string CoverLetter = "cover_letter";

    public const string CompanyResearch = "company_research";

    /// <summary>The types a user starts by hand, about no single job (the Home page's buttons, <c>/api/tasks/…</c>).</summary>
    public static readonly IReadOnlyList<string> StartedByHand = [Discovery, EnrichDescriptions];

    public static string Label(string taskType) => taskType switch
    {
        ScrapeUrl => "Fetching a listing",
        Discovery => "Discovery",
        EnrichDescriptions => "Enrichment",
        CoverLetter => "Cover letter",
        CompanyResearch => "Company research",
        _ => taskType,
    };
}
