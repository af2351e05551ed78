namespace Peregrine.CloudSeams;

/// <summary>
/// First-login hook for account metadata outside the user's tree (the cloud API ensures the user's free-tier
/// <c>subscriptions</c> row). Called once per user tree per process; must not throw or block a sign-in for long.
/// </summary>
public interface IAccountProvisioning
{
    ValueTask EnsureAccountAsync(string userId, CancellationToken cancellationToken);
}

/// <summary>Local mode and the demo keep no account metadata.</summary>
public sealed class NoAccountProvisioning : IAccountProvisioning
{
    public ValueTask EnsureAccountAsync(string userId, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
