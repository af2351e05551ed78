using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Peregrine.Llm;

/// <summary>
/// Gives one backend a time limit for a whole call. Its expiry surfaces as a <see cref="TimeoutException"/>, not as
/// cancellation: the failover client passes cancellation straight through, and a hung backend must fail over instead.
/// </summary>
public sealed class TimeLimitedChatClient(IChatClient inner, string backendName, TimeSpan limit) : DelegatingChatClient(inner)
{
    public string BackendName => backendName;

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(limit);
        try
        {
            return await base.GetResponseAsync(messages, options, timer.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut();
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(limit);
        await using var updates = base.GetStreamingResponseAsync(messages, options, timer.Token).GetAsyncEnumerator(timer.Token);
        while (true)
        {
            ChatResponseUpdate update;
            try
            {
                if (!await updates.MoveNextAsync())
                {
                    yield break;
                }

                update = updates.Current;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut();
            }

            yield return update;
        }
    }

    private TimeoutException TimedOut() => new($"LLM backend '{backendName}' gave no answer within {limit.TotalSeconds:0.#} s");
}
