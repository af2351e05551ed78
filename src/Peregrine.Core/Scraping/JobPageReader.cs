using Peregrine.Fetching;

namespace Peregrine.Scraping;

/// <summary>Fetches a job page through the guarded fetcher and reads the job from it (scrape and enrichment share this).</summary>
public sealed class JobPageReader(PageFetcher fetcher)
{
    private const string AcceptHtml = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1";

    public async Task<ScrapedJob> ReadAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var address))
        {
            throw new FetchFailedException("The job's URL is not an absolute http(s) address");
        }

        var page = await fetcher.GetAsync(address, AcceptHtml, cancellationToken);
        if (page.MediaType is { } type && !type.Contains("html", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            throw new FetchFailedException($"{page.Address.Host} sent {type}, not a web page") { NotAWebPage = true };
        }

        return JobPageParser.Parse(page.Body);
    }
}
