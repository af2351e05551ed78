namespace Peregrine.CloudSeams;

/// <summary>
/// Where a signed-in user's tier comes from. The cloud API reads it from the platform DB (<c>subscriptions</c>);
/// never from an environment variable (upstream's <c>APP_TIER</c> bug). Must not throw: unknown means <c>free</c>.
/// </summary>
public interface ITierSource
{
    ValueTask<string> GetTierAsync(string userId, CancellationToken cancellationToken = default);
}

/// <summary>Default without a platform DB: every cloud user is on the free tier.</summary>
public sealed class FreeTierSource : ITierSource
{
    public ValueTask<string> GetTierAsync(string userId, CancellationToken cancellationToken = default) => ValueTask.FromResult("free");
}
