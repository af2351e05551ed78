using System.Net;
using System.Net.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;

namespace Peregrine.Fetching;

public static class FetchingRegistration
{
    /// <summary>The guarded outbound HTTP client of tasks (<see cref="PageFetcher"/>), with its resilience pipeline.</summary>
    public static IServiceCollection AddFetching(this IServiceCollection services)
    {
        services.AddOptions<FetchOptions>().BindConfiguration(FetchOptions.SectionName);
        services.TryAddSingleton<IHostResolver, SystemHostResolver>();
        services.TryAddSingleton<IConnectionOpener, SocketConnectionOpener>();
        services.TryAddSingleton<AddressPolicy>();
        services.TryAddSingleton<GuardedConnector>();
        services.TryAddSingleton<PageFetcher>();
        var client = services.AddHttpClient(PageFetcher.ClientName);
        client.ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
        {
            // Redirects are followed by PageFetcher, one checked hop at a time; a proxy would connect on our behalf
            // to addresses the connector never saw.
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = sp.GetRequiredService<IOptions<FetchOptions>>().Value.ConnectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectCallback = sp.GetRequiredService<GuardedConnector>().ConnectAsync,
        });

        // The service defaults' standard handler is replaced by one that keeps a pipeline per host (one tenant's
        // failing sites must not open the circuit for everyone's) and never retries a refusal. Removing the default
        // is the documented way to do that; the API is marked experimental in the pinned 10.11 package.
#pragma warning disable EXTEXP0001
        client.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        client.AddStandardResilienceHandler(ConfigureResilience).SelectPipelineByAuthority();
        return services;
    }

    private static void ConfigureResilience(HttpStandardResilienceOptions options)
    {
        options.Retry.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
        options.CircuitBreaker.ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome));
    }

    /// <summary>A refused address or an unknown name is an answer, not a transient fault.</summary>
    private static bool IsTransient(Polly.Outcome<HttpResponseMessage> outcome) =>
        PageFetcher.Unwrap<FetchFailedException>(outcome.Exception) is null && HttpClientResiliencePredicates.IsTransient(outcome);
}
