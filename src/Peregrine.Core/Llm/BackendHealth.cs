using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Peregrine.Llm;

/// <summary>
/// Whether an openai_compat server answers at all (upstream: reachable means any status below 500 within 2 s),
/// remembered for a short while so a chain does not probe a server on every call, nor keep trying a dead one.
/// </summary>
public sealed partial class BackendHealth(IOptions<LlmOptions> options, TimeProvider time, ILogger<BackendHealth> logger) : IDisposable
{
    // Its own client, not the factory's: the service defaults add retrying resilience handlers to every factory
    // client, and a probe of a dead server must cost one attempt, not four.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        Timeout = System.Threading.Timeout.InfiniteTimeSpan,
    };

    private readonly ConcurrentDictionary<string, (bool Healthy, long At)> _answers = new(StringComparer.Ordinal);

    public static Uri ProbeUri(LlmBackendConfig backend)
    {
        var baseUrl = backend.BaseUrl!.TrimEnd('/');
        if (string.IsNullOrWhiteSpace(backend.HealthPath))
        {
            return new Uri(baseUrl + "/models");
        }

        // health_path is below the server root: vLLM's /health and Ollama's /api/version are not under /v1.
        var root = baseUrl.EndsWith("/v1", StringComparison.Ordinal) ? baseUrl[..^3] : baseUrl;
        return new Uri(root + "/" + backend.HealthPath.TrimStart('/'));
    }

    public async ValueTask<bool> IsHealthyAsync(LlmBackendConfig backend, CancellationToken cancellationToken)
    {
        var uri = ProbeUri(backend);
        var key = uri.AbsoluteUri;
        var now = time.GetTimestamp();
        if (_answers.TryGetValue(key, out var answer) && time.GetElapsedTime(answer.At, now).TotalSeconds < options.Value.HealthCacheSeconds)
        {
            return answer.Healthy;
        }

        var healthy = await ProbeAsync(uri, backend.ApiKey, cancellationToken);
        _answers[key] = (healthy, time.GetTimestamp());
        return healthy;
    }

    private async Task<bool> ProbeAsync(Uri uri, string? apiKey, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.HealthTimeoutSeconds));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            if (!string.IsNullOrEmpty(apiKey))
            {
                request.Headers.Authorization = new("Bearer", apiKey);
            }

            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return (int)response.StatusCode < 500;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            LogProbeFailed(logger, uri, e.GetType().Name);
            return false;
        }
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM health probe {Uri} failed: {Reason}")]
    private static partial void LogProbeFailed(ILogger logger, Uri uri, string reason);
}
