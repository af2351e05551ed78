using Peregrine.CloudSeams;
using Peregrine.Errors;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Erasure;

/// <summary>
/// Settings → Account, for <see cref="AccountApi"/> and the Account page alike: the plan, and self-service GDPR erasure
/// confirmed by typing one's own user id. Local mode keeps no account, so erasure is refused there.
/// </summary>
public sealed class AccountService(UserErasure erasure, IUserEraser eraser, IAccountErasures erasures, ITierSource tiers)
{
    public static readonly Refusal NotAvailableInLocalMode = Refusal.Conflict(
        "Self-hosted Peregrine keeps no account; delete the data folder to remove your data.", "Not available in local mode");

    public static readonly Refusal ConfirmationMismatch = Refusal.BadRequest(
        "To erase your account, send {\"confirm\": \"<your user id>\"}.", "Confirmation does not match");

    /// <summary>The user's plan; <c>local</c> in local mode.</summary>
    public async Task<string> PlanAsync(UserContext user, CancellationToken cancellationToken) =>
        user.IsCloud ? await tiers.GetTierAsync(user.UserId, cancellationToken) : "local";

    /// <summary>
    /// The erasure's receipt, or why nothing (or not everything) was erased. After a receipt the caller forgets the
    /// session cookie (<see cref="ForgetSession"/>): it names an account that no longer exists.
    /// </summary>
    public async Task<Outcome<ErasureReceipt>> EraseAsync(UserContext user, string? confirm, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return NotAvailableInLocalMode;
        }

        if (!string.Equals(confirm?.Trim(), user.UserId, StringComparison.OrdinalIgnoreCase))
        {
            return ConfirmationMismatch;
        }

        try
        {
            // A session from before the erasure may only finish that erasure, never erase a new account opened since.
            var erased = user.SessionIssuedAt is { } issuedAt && await erasures.RefusesSessionAsync(user.UserId, issuedAt, refresh: false, cancellationToken);
            var userId = Guid.Parse(user.UserId);
            return !erased ? await eraser.EraseAsync(userId, cancellationToken)
                : erasure.IsUnfinished(userId) ? await erasure.FinishAsync(userId)
                : throw new UserDataRemovedException(user.UserId);
        }
        catch (ErasureNotStartedException e)
        {
            return Refusal.Conflict(e.Message, "Erasure not started");
        }
        catch (ErasureNotVerifiedException)
        {
            return new Refusal(
                StatusCodes.Status500InternalServerError,
                "Your account is erased and its platform rows are gone, but some files could not be removed yet. Send the same request again to finish.",
                "Erasure not finished");
        }
    }

    public static void ForgetSession(HttpResponse response) =>
        response.Cookies.Delete(SessionToken.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
}
