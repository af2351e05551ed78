using Peregrine.AppHost.Publishing;

namespace Peregrine.AppHost.Llm;

/// <summary>
/// The platform's LLM backend, given to every cloud API as <c>Llm__BaseUrl</c>, <c>Llm__Model</c> and <c>Llm__ApiKey</c>
/// (an openai_compat server: the platform's vLLM or Ollama). A deployment takes them from <c>.env</c>. A developer run
/// that configures none (Parameters:llm-base-url) gets the development LLM instead: a loopback template server that
/// says in every answer that it is not a model, so generating a cover letter works end to end without one.
/// </summary>
public static class LlmBackendExtensions
{
    public const string BaseUrlParameter = "llm-base-url";
    public const string DevLlmModel = "peregrine-dev-template";

    /// <summary>Gives an API the backend's variables.</summary>
    public sealed record LlmBackend(Func<IResourceBuilder<ProjectResource>, IResourceBuilder<ProjectResource>> Apply);

    public static LlmBackend AddPlatformLlm(this IDistributedApplicationBuilder builder)
    {
        var configured = !string.IsNullOrWhiteSpace(builder.Configuration[$"Parameters:{BaseUrlParameter}"]);
        if (builder.ExecutionContext.IsRunMode && !configured)
        {
            var devLlm = builder.AddProject<Projects.Peregrine_DevLlm>("dev-llm")
                .WithEnvironment("DEV_LLM_MODEL", DevLlmModel)
                // About as long as a small model takes, so a developer (and the browser tests) see a task's progress.
                .WithEnvironment("DEV_LLM_DELAY_MS", "1500")
                .WithHttpHealthCheck("/health");
            var endpoint = devLlm.GetEndpoint("http");
            return new LlmBackend(api => api
                .WithEnvironment("Llm__BaseUrl", ReferenceExpression.Create($"{endpoint}/v1"))
                .WithEnvironment("Llm__Model", DevLlmModel));
        }

        // All optional: AI is an option of a deployment, and without it AI features say "AI is not configured on this instance".
        var baseUrl = builder.AddParameter(BaseUrlParameter)
            .WithDescription("OpenAI-compatible base URL of the platform's LLM (vLLM or Ollama, ending in /v1). Empty: AI features answer 'AI is not configured on this instance'.")
            .WithComposeVariable(required: false);
        var model = builder.AddParameter("llm-model")
            .WithDescription("Model name the LLM server serves (e.g. llama3.1:8b).")
            .WithComposeVariable(required: false);
        var apiKey = builder.AddParameter("llm-api-key", secret: true)
            .WithDescription("API key of the platform's LLM server (any placeholder when the server takes none, as vLLM and Ollama do by default).")
            .WithComposeVariable(required: false);
        return new LlmBackend(api => api
            .WithEnvironment("Llm__BaseUrl", baseUrl)
            .WithEnvironment("Llm__Model", model)
            .WithEnvironment("Llm__ApiKey", apiKey));
    }
}
