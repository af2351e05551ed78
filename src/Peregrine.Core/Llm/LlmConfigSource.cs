using System.Collections.Concurrent;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peregrine.Sessions;
using Peregrine.Yaml;

namespace Peregrine.Llm;

/// <summary>
/// Decides which llm.yaml a call uses. Cloud: the platform's file (or its one <c>Llm:BaseUrl</c> backend) only (a user's <c>config/llm.yaml</c>, restored or
/// written, never counts: upstream let it override the platform), reduced to cloud-safe backends. Local: upstream's
/// order — <c>Llm:ConfigPath</c>, the user's <c>config/llm.yaml</c>, <c>~/.config/circuitforge/llm.yaml</c>, then
/// backends from the environment (<c>Llm:BaseUrl</c>, else upstream's <c>ANTHROPIC_API_KEY</c> / <c>OPENAI_API_KEY</c> / Ollama).
/// </summary>
public sealed partial class LlmConfigSource(IOptions<LlmOptions> options, IConfiguration configuration, ILogger<LlmConfigSource> logger)
{
    private readonly ConcurrentDictionary<string, (DateTime Written, LlmConfig Config)> _files = new(StringComparer.Ordinal);

    private (LlmConfig Source, LlmConfig Safe)? _platform;

    private readonly Lazy<LlmConfig?> _platformBackend = new(() => FromOptions(options.Value));

    private int _noPlatformConfigLogged;

    public LlmConfig For(UserContext user) => user.IsCloud ? Platform() : Local(user);

    /// <summary>Whether the platform's config (cloud) names any backend it may use: without one, AI is not configured.</summary>
    public bool PlatformHasBackends() => Platform().Backends.Count > 0;

    private LlmConfig Platform()
    {
        var config = string.IsNullOrWhiteSpace(options.Value.ConfigPath) ? null : ReadFile(options.Value.ConfigPath);
        config ??= _platformBackend.Value;
        if (config is null)
        {
            // Once per process: asked before every AI request, and an instance without AI is a normal deployment.
            if (Interlocked.Exchange(ref _noPlatformConfigLogged, 1) == 0)
            {
                LogNoPlatformConfig(logger, options.Value.ConfigPath);
            }

            return LlmConfig.Empty;
        }

        // Restricted once per version of the file, so each dropped backend is logged once, not on every call.
        var restricted = _platform;
        if (!ReferenceEquals(restricted?.Source, config))
        {
            restricted = (config, CloudSafety.Restrict(config, logger));
            _platform = restricted;
        }

        return restricted.Value.Safe;
    }

    private LlmConfig Local(UserContext user)
    {
        string?[] candidates =
        [
            options.Value.ConfigPath,
            Path.Combine(user.ConfigDirectory, "llm.yaml"),
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "circuitforge", "llm.yaml"),
        ];
        foreach (var path in candidates)
        {
            if (!string.IsNullOrWhiteSpace(path) && ReadFile(path) is { } config)
            {
                return config;
            }
        }

        return _platformBackend.Value ?? FromEnvironment();
    }

    /// <summary>Parsed once per version of the file: a router call must not re-read YAML it already has.</summary>
    private LlmConfig? ReadFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        var written = info.LastWriteTimeUtc;
        if (_files.TryGetValue(path, out var cached) && cached.Written == written)
        {
            return cached.Config;
        }

        try
        {
            var config = LlmConfig.Parse(GuardedYaml.ReadFile(path, "llm.yaml"));
            _files[path] = (written, config);
            return config;
        }
        catch (Exception e) when (e is InvalidDataException or InvalidYamlException or IOException or UnauthorizedAccessException)
        {
            LogUnreadableConfig(logger, path, e.Message);
            return null;
        }
    }

    /// <summary>The operator's one backend (<c>Llm:BaseUrl</c>), in every chain; null when none is configured.</summary>
    private static LlmConfig? FromOptions(LlmOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            return null;
        }

        var config = new LlmConfig();
        config.Backends["platform"] = new LlmBackendConfig { BaseUrl = options.BaseUrl, Model = options.Model, ApiKey = options.ApiKey };
        config.FallbackOrder.Add("platform");
        config.ResearchFallbackOrder.Add("platform");
        return config;
    }

    /// <summary>Upstream's auto-config: Anthropic and OpenAI when their keys are set; Ollama always, last.</summary>
    private LlmConfig FromEnvironment()
    {
        var config = new LlmConfig();
        if (!string.IsNullOrWhiteSpace(configuration["ANTHROPIC_API_KEY"]))
        {
            config.Backends["anthropic"] = new LlmBackendConfig
            {
                Type = LlmBackendConfig.Anthropic,
                ApiKeyEnv = "ANTHROPIC_API_KEY",
                Model = configuration["ANTHROPIC_MODEL"] ?? "claude-haiku-4-5-20251001",
            };
            config.FallbackOrder.Add("anthropic");
        }

        if (configuration["OPENAI_API_KEY"] is { Length: > 0 } openAiKey)
        {
            config.Backends["openai"] = new LlmBackendConfig
            {
                BaseUrl = configuration["OPENAI_BASE_URL"] ?? "https://api.openai.com/v1",
                ApiKey = openAiKey,
                Model = configuration["OPENAI_MODEL"] ?? "gpt-4o-mini",
            };
            config.FallbackOrder.Add("openai");
        }

        config.Backends["ollama"] = new LlmBackendConfig
        {
            BaseUrl = (configuration["OLLAMA_HOST"] ?? "http://localhost:11434").TrimEnd('/') + "/v1",
            Model = configuration["OLLAMA_MODEL"] ?? "llama3.2:3b",
            HealthPath = "/api/version",
        };
        config.FallbackOrder.Add("ollama");
        config.ResearchFallbackOrder.AddRange(config.FallbackOrder);
        return config;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No platform llm.yaml at '{Path}' (Llm:ConfigPath) and no Llm:BaseUrl: AI is not configured on this instance")]
    private static partial void LogNoPlatformConfig(ILogger logger, string? path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "llm.yaml at '{Path}' ignored: {Reason}")]
    private static partial void LogUnreadableConfig(ILogger logger, string path, string reason);
}

/// <summary>
/// What the cloud may route through (upstream 13cd4c0): openai_compat servers the platform operates (its vLLM and
/// Ollama) and its vision service. Anthropic and every personal or dev backend type are dropped from the backends and
/// from every chain, whatever the file says, so a mistaken platform file cannot send user data to a third party.
/// </summary>
public static partial class CloudSafety
{
    public static bool IsCloudSafe(LlmBackendConfig backend) =>
        backend.Type is LlmBackendConfig.OpenAiCompatible or LlmBackendConfig.VisionService;

    public static LlmConfig Restrict(LlmConfig config, ILogger logger)
    {
        var safe = new Dictionary<string, LlmBackendConfig>(StringComparer.Ordinal);
        foreach (var (name, backend) in config.Backends)
        {
            if (IsCloudSafe(backend))
            {
                safe[name] = backend;
            }
            else
            {
                LogDropped(logger, name, backend.Type);
            }
        }

        List<string> Keep(List<string> chain) => [.. chain.Where(safe.ContainsKey)];
        return new LlmConfig
        {
            Backends = safe,
            FallbackOrder = Keep(config.FallbackOrder),
            ResearchFallbackOrder = Keep(config.ResearchFallbackOrder),
            VisionFallbackOrder = Keep(config.VisionFallbackOrder),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cloud: backend '{Name}' of type '{Type}' is not cloud-safe and is in no chain")]
    private static partial void LogDropped(ILogger logger, string name, string type);
}
