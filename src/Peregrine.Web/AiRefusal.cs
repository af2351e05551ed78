using Peregrine.Llm;

namespace Peregrine.Web;

/// <summary>
/// Where the router refuses all inference (the public demo, a cloud instance without an LLM), a page's AI button
/// queues nothing: the task would only fail with the refusal. The page says it instead (upstream's demo showed nothing
/// of it).
/// </summary>
public static class AiRefusal
{
    /// <summary>The refusal's words when no AI can run here; null when it can.</summary>
    public static string? RefusalBeforeQueueing(this ILlmRouter router)
    {
        try
        {
            router.ThrowIfDisabled();
            return null;
        }
        catch (LlmUnavailableException refused)
        {
            return refused.Message;
        }
    }
}
