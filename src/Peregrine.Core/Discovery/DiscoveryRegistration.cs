using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Peregrine.Tasks;

namespace Peregrine.Discovery;

public static class DiscoveryRegistration
{
    /// <summary>The <c>discovery</c> task and the board clients it reads (needs <c>AddFetching</c>).</summary>
    public static IServiceCollection AddDiscovery(this IServiceCollection services)
    {
        services.AddOptions<DiscoveryOptions>().BindConfiguration(DiscoveryOptions.SectionName);
        services.TryAddSingleton<JobBoards>();
        services.AddBackgroundTaskHandler<DiscoveryHandler>();
        return services;
    }
}
