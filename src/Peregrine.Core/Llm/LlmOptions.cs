namespace Peregrine.Llm;

/// <summary>The <c>Llm</c> configuration section: where the platform's llm.yaml is and how backends are probed.</summary>
public sealed class LlmOptions
{
    public const string SectionName = "Llm";

    /// <summary>
    /// The llm.yaml to use. In cloud mode it is the platform's file (mounted read-only) and the only config; in local
    /// mode it overrides upstream's search order when set.
    /// </summary>
    public string? ConfigPath { get; set; }

    /// <summary>
    /// A single platform backend from the environment (the AppHost's <c>llm-base-url</c>, <c>llm-model</c> and
    /// <c>llm-api-key</c> parameters), used when no llm.yaml is given: an openai_compat server such as vLLM or Ollama.
    /// </summary>
    public string? BaseUrl { get; set; }

    public string? Model { get; set; }

    public string? ApiKey { get; set; }

    /// <summary>How long a health probe's answer is trusted (upstream's task asks for 15–30 s).</summary>
    public double HealthCacheSeconds { get; set; } = 20;

    /// <summary>Upstream's probe timeout: a backend that cannot answer in 2 s is treated as down.</summary>
    public double HealthTimeoutSeconds { get; set; } = 2;

    /// <summary>A backend's limit for one call unless its <c>timeout_s</c> says otherwise.</summary>
    public double DefaultTimeoutSeconds { get; set; } = 120;
}
