using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Llm;

public static class LlmRegistration
{
    /// <summary>The router, or in the demo the refusing router in its place (chosen once from the validated options).</summary>
    public static IServiceCollection AddLlm(this IServiceCollection services)
    {
        services.AddOptions<LlmOptions>().BindConfiguration(LlmOptions.SectionName);
        services.AddSingleton<LlmConfigSource>();
        services.AddSingleton<LlmBackends>();
        services.AddSingleton<BackendHealth>();
        services.AddSingleton<LlmRouter>();
        services.AddSingleton<DemoLlmRouter>();
        services.AddSingleton<ILlmRouter>(sp => sp.GetRequiredService<IOptions<PeregrineOptions>>().Value.DemoMode
            ? sp.GetRequiredService<DemoLlmRouter>()
            : sp.GetRequiredService<LlmRouter>());
        return services;
    }
}
