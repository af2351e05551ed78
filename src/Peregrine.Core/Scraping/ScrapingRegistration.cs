using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Peregrine.Fetching;
using Peregrine.Tasks;

namespace Peregrine.Scraping;

public static class ScrapingRegistration
{
    /// <summary>Job intake by URL (<c>scrape_url</c>) and description enrichment (<c>enrich_descriptions</c>).</summary>
    public static IServiceCollection AddScraping(this IServiceCollection services)
    {
        services.AddFetching();
        services.AddOptions<EnrichmentOptions>().BindConfiguration(EnrichmentOptions.SectionName);
        services.TryAddSingleton<JobPageReader>();
        services.AddBackgroundTaskHandler<ScrapeUrlHandler>();
        services.AddBackgroundTaskHandler<EnrichDescriptionsHandler>();
        return services;
    }
}
