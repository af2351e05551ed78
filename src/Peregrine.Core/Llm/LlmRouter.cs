using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Llm;

/// <summary>
/// What the AI features call: a chat client for one of upstream's chains, for the config that applies to this user.
/// In the demo a refusing router stands in its place (<see cref="DemoLlmRouter"/>).
/// </summary>
public interface ILlmRouter
{
    /// <summary>
    /// Throws the demo refusal, or in a cloud instance without an LLM the not-configured one (or nothing). Features call
    /// it first, before reading any of the user's files.
    /// </summary>
    void ThrowIfDisabled();

    IChatClient ChatClient(UserContext user, LlmChain chain);

    /// <summary>Whether this user has an LLM of their own (BYOK): what unlocks the paid AI features on the free tier.</summary>
    bool HasOwnBackend(UserContext user);
}

public sealed class LlmRouter(
    IOptions<PeregrineOptions> peregrine, LlmConfigSource configs, LlmBackends backends, BackendHealth health, ILogger<LlmRouter> logger) : ILlmRouter
{
    public void ThrowIfDisabled()
    {
        if (peregrine.Value.DemoMode)
        {
            throw new AiDisabledInDemoException();
        }

        if (peregrine.Value.CloudMode && !configs.PlatformHasBackends())
        {
            throw new AiNotConfiguredException();
        }
    }

    public IChatClient ChatClient(UserContext user, LlmChain chain)
    {
        ThrowIfDisabled();
        var config = configs.For(user);
        return new ChainChatClient(config, config.Chain(chain), backends, health, logger);
    }

    /// <summary>
    /// Local mode: any enabled text backend counts, as upstream. Cloud: the platform's backends never count (upstream
    /// made every cloud user BYOK that way); a user-supplied key is the only BYOK, and the cloud has no key store yet.
    /// </summary>
    public bool HasOwnBackend(UserContext user) =>
        !user.IsCloud && configs.For(user).Backends.Values.Any(b => b.Enabled && b.Type != LlmBackendConfig.VisionService);
}

/// <summary>The demo's router: every path refuses at its first statement, so no config is read and no socket opened.</summary>
public sealed class DemoLlmRouter : ILlmRouter
{
    public void ThrowIfDisabled() => throw new AiDisabledInDemoException();

    public IChatClient ChatClient(UserContext user, LlmChain chain) => throw new AiDisabledInDemoException();

    public bool HasOwnBackend(UserContext user) => false;
}

public static class LlmRouterExtensions
{
    /// <summary>One prompt, one answer (upstream's <c>complete()</c>); images go to backends that accept them.</summary>
    public static async Task<string> CompleteAsync(
        this ILlmRouter router, UserContext user, LlmChain chain, string? system, string prompt,
        CancellationToken cancellationToken, IReadOnlyList<DataContent>? images = null)
    {
        router.ThrowIfDisabled();
        List<ChatMessage> messages = [];
        if (!string.IsNullOrWhiteSpace(system))
        {
            messages.Add(new ChatMessage(ChatRole.System, system));
        }

        List<AIContent> contents = [new TextContent(prompt), .. images ?? []];
        messages.Add(new ChatMessage(ChatRole.User, contents));
        var response = await router.ChatClient(user, chain).GetResponseAsync(messages, cancellationToken: cancellationToken);
        return response.Text;
    }
}
