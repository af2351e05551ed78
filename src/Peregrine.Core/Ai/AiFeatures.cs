using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Ai.CoverLetters;
using Peregrine.Ai.Qa;
using Peregrine.Ai.Research;
using Peregrine.Llm;
using Peregrine.Tasks;

namespace Peregrine.Ai;

public static class AiFeatures
{
    /// <summary>The LLM router (or the demo's refusing one) and the features on it, with their task handlers.</summary>
    public static IServiceCollection AddAiFeatures(this IServiceCollection services)
    {
        services.AddLlm();
        services.AddOptions<PlanOptions>().BindConfiguration(PlanOptions.Section);
        services.AddSingleton<FeatureGate>();
        services.AddSingleton<CoverLetterService>();
        services.AddSingleton<CoverLetterWriter>();
        services.AddSingleton<CompanyResearchService>();
        services.AddSingleton<CompanyResearchWriter>();
        services.AddSingleton<ApplicationQaService>();
        services.AddBackgroundTaskHandler<CoverLetterTaskHandler>();
        services.AddBackgroundTaskHandler<CompanyResearchTaskHandler>();
        return services;
    }

    public static IEndpointRouteBuilder MapAiFeatures(this IEndpointRouteBuilder routes)
    {
        routes.MapCoverLetters();
        routes.MapResearch();
        routes.MapApplicationQa();
        return routes;
    }
}
