using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using Anthropic;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenAI;

namespace Peregrine.Llm;

/// <summary>
/// One <see cref="IChatClient"/> per configured backend, built once and reused: the OpenAI client for
/// <c>openai_compat</c> servers (vLLM, Ollama, llama.cpp), the Anthropic SDK for <c>anthropic</c>. Each has SDK retries
/// off (the chain is the retry), its own time limit, and GenAI telemetry without prompt or answer content.
/// </summary>
public sealed partial class LlmBackends(
    IOptions<LlmOptions> options, IConfiguration configuration, ILoggerFactory loggerFactory, ILogger<LlmBackends> logger) : IDisposable
{
    public const string TelemetrySource = "Peregrine.Llm";

    private readonly ConcurrentDictionary<BackendKey, IChatClient> _clients = new();

    /// <summary>Why a backend cannot be used for this call, or null when it can be tried.</summary>
    public string? WhyUnusable(LlmBackendConfig backend, bool hasImages) => backend switch
    {
        { Enabled: false } => "disabled",
        { Type: LlmBackendConfig.VisionService } => "vision_service is not supported by this router",
        { SupportsImages: false } when hasImages => "does not accept images",
        { Type: LlmBackendConfig.Anthropic } when string.IsNullOrWhiteSpace(AnthropicKey(backend)) => "no API key in its api_key_env",
        { Type: LlmBackendConfig.Anthropic } => null,
        { Type: LlmBackendConfig.OpenAiCompatible, BaseUrl: null or "" } => "no base_url",
        { Type: LlmBackendConfig.OpenAiCompatible } => null,
        _ => $"unknown type '{backend.Type}'",
    };

    public IChatClient ClientFor(string name, LlmBackendConfig backend)
    {
        var key = new BackendKey(name, backend.Type, backend.BaseUrl, backend.Model, backend.ApiKey ?? AnthropicKey(backend), Timeout(backend));
        return _clients.GetOrAdd(key, Create);
    }

    public TimeSpan Timeout(LlmBackendConfig backend) => TimeSpan.FromSeconds(backend.TimeoutS ?? options.Value.DefaultTimeoutSeconds);

    private string? AnthropicKey(LlmBackendConfig backend) =>
        backend.Type == LlmBackendConfig.Anthropic && !string.IsNullOrWhiteSpace(backend.ApiKeyEnv) ? configuration[backend.ApiKeyEnv] : null;

    private IChatClient Create(BackendKey key)
    {
        LogCreating(logger, key.Name, key.Type, key.Model);
        var inner = key.Type == LlmBackendConfig.Anthropic ? CreateAnthropic(key) : CreateOpenAiCompatible(key);
        return new TimeLimitedChatClient(
            inner.AsBuilder()
                // Prompts carry résumés and names: spans and metrics only, never message content.
                .UseOpenTelemetry(loggerFactory, TelemetrySource, otel => otel.EnableSensitiveData = false)
                .Build(),
            key.Name,
            key.Timeout);
    }

    private static IChatClient CreateOpenAiCompatible(BackendKey key)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = new Uri(key.BaseUrl!),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = key.Timeout,
        };
        // Local servers ignore the key, but the SDK insists on one.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(key.ApiKey) ? "not-needed" : key.ApiKey);
        var model = string.IsNullOrWhiteSpace(key.Model) ? "default" : key.Model;
        return new OpenAIClient(credential, clientOptions).GetChatClient(model).AsIChatClient();
    }

    private static IChatClient CreateAnthropic(BackendKey key)
    {
        var client = new AnthropicClient
        {
            ApiKey = key.ApiKey!,
            MaxRetries = 0,
            Timeout = key.Timeout,
        };
        if (!string.IsNullOrWhiteSpace(key.BaseUrl))
        {
            client = (AnthropicClient)client.WithOptions(o => o with { BaseUrl = key.BaseUrl });
        }

        return client.AsIChatClient(key.Model ?? "claude-haiku-4-5-20251001", defaultMaxOutputTokens: 4096);
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }

    private readonly record struct BackendKey(string Name, string Type, string? BaseUrl, string? Model, string? ApiKey, TimeSpan Timeout);

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM backend '{Name}' ({Type}, model {Model}) created")]
    private static partial void LogCreating(ILogger logger, string name, string type, string? model);
}
