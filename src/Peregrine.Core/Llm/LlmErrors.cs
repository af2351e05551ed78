namespace Peregrine.Llm;

/// <summary>No answer can come from the LLM; the message is safe to show its user (no backend names, no causes).</summary>
public class LlmUnavailableException(string message) : Exception(message);

/// <summary>Upstream's demo refusal, word for word: raised before any config is read or socket opened.</summary>
public sealed class AiDisabledInDemoException() : LlmUnavailableException(Text)
{
    public const string Text = "AI inference is disabled in the public demo. Run your own instance to use AI features.";
}

/// <summary>
/// The cloud instance has no LLM at all (no platform llm.yaml, no <c>Llm:BaseUrl</c>): AI is optional for a deployment,
/// so this is a refusal that says so, raised before any I/O, not a failure of backends that were never there.
/// </summary>
public sealed class AiNotConfiguredException() : LlmUnavailableException(Text)
{
    public const string Text = "AI is not configured on this instance";
}

/// <summary>Every backend of the chain was skipped or failed; which and why is in the log, not here.</summary>
public sealed class LlmBackendsExhaustedException() : LlmUnavailableException(Text)
{
    public const string Text = "All LLM backends exhausted";
}
