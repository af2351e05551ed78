using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Peregrine.Llm;

/// <summary>Upstream's <c>llm.yaml</c>: named backends and the three fallback chains that order them.</summary>
public sealed class LlmConfig
{
    public Dictionary<string, LlmBackendConfig> Backends { get; set; } = new(StringComparer.Ordinal);

    public List<string> FallbackOrder { get; set; } = [];

    public List<string> ResearchFallbackOrder { get; set; } = [];

    public List<string> VisionFallbackOrder { get; set; } = [];

    public static readonly LlmConfig Empty = new();

    public IReadOnlyList<string> Chain(LlmChain chain) => chain switch
    {
        LlmChain.Research => ResearchFallbackOrder.Count > 0 ? ResearchFallbackOrder : FallbackOrder,
        LlmChain.Vision => VisionFallbackOrder,
        _ => FallbackOrder,
    };

    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .IgnoreUnmatchedProperties()
        .Build();

    /// <summary>Parses a file's text; a file that is not an llm.yaml is a configuration error, not a crash.</summary>
    public static LlmConfig Parse(string yaml)
    {
        try
        {
            return Yaml.Deserialize<LlmConfig?>(yaml) ?? new LlmConfig();
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new InvalidDataException($"llm.yaml is not valid: {e.Start}", e);
        }
    }
}

/// <summary>Which of upstream's chains a call uses: cover letters and Q&amp;A, research, or screenshots.</summary>
public enum LlmChain
{
    General,
    Research,
    Vision,
}

public sealed class LlmBackendConfig
{
    public const string OpenAiCompatible = "openai_compat";
    public const string Anthropic = "anthropic";
    public const string VisionService = "vision_service";

    public string Type { get; set; } = OpenAiCompatible;

    public string? BaseUrl { get; set; }

    /// <summary>openai_compat only: the key itself (local servers usually take any value).</summary>
    public string? ApiKey { get; set; }

    /// <summary>anthropic only: the <em>name</em> of the environment variable holding the key.</summary>
    public string? ApiKeyEnv { get; set; }

    public string? Model { get; set; }

    public bool Enabled { get; set; } = true;

    public bool SupportsImages { get; set; }

    /// <summary>Path probed for health below the server root (vLLM <c>/health</c>, Ollama <c>/api/version</c>); default <c>{base}/models</c>.</summary>
    public string? HealthPath { get; set; }

    /// <summary>Per-backend limit for one call, in seconds: a hung backend must not hold the chain.</summary>
    public double? TimeoutS { get; set; }

    /// <summary>upstream's BYOK override: the operator says this backend runs on the user's own machine.</summary>
    public bool? Local { get; set; }
}
