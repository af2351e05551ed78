using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace Peregrine.Llm;

#pragma warning disable MEAI001 // FailoverChatClient is experimental in 10.11; it is exactly upstream's "next backend on any error".

/// <summary>
/// One fallback chain of one config, on M.E.AI's <see cref="FailoverChatClient"/>: backends are tried in chain order,
/// skipping the disabled, the unhealthy and those that cannot take the request's images; a failure before any output
/// has streamed moves to the next. Once none is left the caller gets only "All LLM backends exhausted"; the log says
/// which backend failed and why.
/// </summary>
public sealed partial class ChainChatClient(
    LlmConfig config, IReadOnlyList<string> chain, LlmBackends backends, BackendHealth health, ILogger logger) : FailoverChatClient
{
    // One cursor per request (a RoutingContext is made per call or per streaming enumeration).
    private readonly ConditionalWeakTable<RoutingContext, Cursor> _cursors = [];

    protected override async ValueTask<IChatClient> SelectClientAsync(RoutingContext context, CancellationToken cancellationToken)
    {
        var cursor = _cursors.GetValue(context, _ => new Cursor(HasImages(context.Messages)));
        while (cursor.Next < chain.Count)
        {
            var name = chain[cursor.Next++];
            if (!config.Backends.TryGetValue(name, out var backend))
            {
                LogSkipped(logger, name, "not in backends");
                continue;
            }

            if (backends.WhyUnusable(backend, cursor.HasImages) is { } reason)
            {
                LogSkipped(logger, name, reason);
                continue;
            }

            if (backend.Type == LlmBackendConfig.OpenAiCompatible && !await health.IsHealthyAsync(backend, cancellationToken))
            {
                LogSkipped(logger, name, "health check failed");
                continue;
            }

            return backends.ClientFor(name, backend);
        }

        _cursors.Remove(context);
        LogExhausted(logger, chain.Count, string.Join(", ", chain));
        throw new LlmBackendsExhaustedException();
    }

    protected override ValueTask OnRoutingUpdateAsync(
        RoutingContext context, FailoverChatClientAttempt attempt, bool isTerminal, CancellationToken cancellationToken)
    {
        var name = (attempt.Client as TimeLimitedChatClient)?.BackendName ?? "?";
        if (attempt.Exception is { } failure)
        {
            LogFailed(logger, failure, name, attempt.OutputCommitted);
        }

        if (isTerminal)
        {
            _cursors.Remove(context);
        }

        return ValueTask.CompletedTask;
    }

    private static bool HasImages(IEnumerable<ChatMessage> messages) =>
        messages.Any(m => m.Contents.Any(c => c is DataContent data && data.HasTopLevelMediaType("image")));

    private sealed class Cursor(bool hasImages)
    {
        public bool HasImages { get; } = hasImages;

        public int Next { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "LLM backend '{Name}' skipped: {Reason}")]
    private static partial void LogSkipped(ILogger logger, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "LLM backend '{Name}' failed (output already streamed: {Streamed})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string name, bool streamed);

    [LoggerMessage(Level = LogLevel.Error, Message = "All LLM backends exhausted ({Count} in chain: {Chain})")]
    private static partial void LogExhausted(ILogger logger, int count, string chain);
}
