using Peregrine.Llm;

namespace Peregrine.Web;

/// <summary>
/// What a page says after a generate button queued its task. Where the router refuses all inference (the public demo,
/// a cloud instance without an LLM) the queued task is bound to fail with the refusal, so the page shows that text
/// instead of "working in the background" (upstream's demo showed nothing of it).
/// </summary>
public static class AiRefusal
{
    /// <param name="notQueued">Why the service did not queue it (not found, tier), or null when it did.</param>
    public static (string Message, bool Failed) AfterQueueing(this ILlmRouter router, string? notQueued, string working)
    {
        if (notQueued is not null)
        {
            return (notQueued, true);
        }

        try
        {
            router.ThrowIfDisabled();
            return (working, false);
        }
        catch (LlmUnavailableException refused)
        {
            return (refused.Message, true);
        }
    }
}
