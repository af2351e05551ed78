namespace Peregrine.CloudSeams;

/// <summary>
/// When an account was last erased, so that a session issued before that (a stolen or cached cookie) cannot bring
/// the account back. The cloud API answers from the platform DB's <c>account_erasures</c> behind a short cache;
/// local mode and the demo have no accounts to erase.
/// </summary>
public interface IAccountErasures
{
    /// <summary>
    /// The last erasure of <paramref name="userId"/> as this process knows it (null: never erased, or not known).
    /// <paramref name="refresh"/> asks the source of truth instead of the cache: used before a tree is (re)created.
    /// Never throws for an outage: a request must not depend on the platform DB being up.
    /// </summary>
    ValueTask<DateTimeOffset?> ErasedAtAsync(string userId, bool refresh, CancellationToken cancellationToken);
}

public sealed class NoAccountErasures : IAccountErasures
{
    public ValueTask<DateTimeOffset?> ErasedAtAsync(string userId, bool refresh, CancellationToken cancellationToken) => ValueTask.FromResult<DateTimeOffset?>(null);
}

public static class AccountErasures
{
    /// <summary>Whether a session issued at <paramref name="issuedAt"/> predates the account's last erasure.</summary>
    public static async ValueTask<bool> RefusesSessionAsync(this IAccountErasures erasures, string userId, DateTimeOffset issuedAt, bool refresh, CancellationToken cancellationToken) =>
        await erasures.ErasedAtAsync(userId, refresh, cancellationToken) is { } erasedAt && issuedAt < erasedAt;
}
