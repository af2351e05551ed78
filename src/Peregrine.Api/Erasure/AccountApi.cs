using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Peregrine.Api.Platform;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Api.Erasure;

/// <summary><c>DELETE /{app}/api/account</c>: self-service GDPR erasure, confirmed by typing one's own user id.</summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/account").RequireUser().ReportsPlatformOutages().WithTags("Account");
        // A failed erasure leaves the session refused; the same request must still be able to finish it.
        group.MapDelete("/", DeleteAccount).WithName("DeleteAccount").WithSummary("Erase the account: platform rows and every file")
            .WithMetadata(AllowsErasedSession.Instance);
        return group;
    }

    public static async Task<Results<Ok<ErasureReceipt>, ProblemHttpResult>> DeleteAccount(
        [FromBody] AccountDeletion? confirmation, UserContext user, UserErasure erasure, IAccountErasures erasures, HttpResponse response,
        CancellationToken cancellationToken)
    {
        var outcome = await EraseAsync(confirmation?.Confirm, user, erasure, erasures, cancellationToken);
        if (outcome.Receipt is not { } receipt)
        {
            return TypedResults.Problem(title: outcome.Title, detail: outcome.Detail, statusCode: outcome.Status);
        }

        // The browser's session names an account that no longer exists.
        response.Cookies.Delete(SessionToken.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
        return TypedResults.Ok(receipt);
    }

    /// <summary>
    /// The erasure, for this endpoint and the Account page: the receipt, or why nothing (or not everything) was erased
    /// as a problem's status, title and detail. The caller forgets the session cookie after a receipt.
    /// </summary>
    public static async Task<AccountErasureOutcome> EraseAsync(
        string? confirm, UserContext user, UserErasure erasure, IAccountErasures erasures, CancellationToken cancellationToken)
    {
        if (!user.IsCloud)
        {
            return AccountErasureOutcome.Refused(
                StatusCodes.Status409Conflict,
                "Not available in local mode",
                "Self-hosted Peregrine keeps no account; delete the data folder to remove your data.");
        }

        if (!string.Equals(confirm?.Trim(), user.UserId, StringComparison.OrdinalIgnoreCase))
        {
            return AccountErasureOutcome.Refused(
                StatusCodes.Status400BadRequest,
                "Confirmation does not match",
                "To erase your account, send {\"confirm\": \"<your user id>\"}.");
        }

        try
        {
            // A session from before the erasure may only finish that erasure, never erase a new account opened since.
            var erased = user.SessionIssuedAt is { } issuedAt && await erasures.RefusesSessionAsync(user.UserId, issuedAt, refresh: false, cancellationToken);
            var userId = Guid.Parse(user.UserId);
            var receipt = !erased ? await erasure.EraseAsync(userId, cancellationToken)
                : erasure.IsUnfinished(userId) ? await erasure.FinishAsync(userId)
                : throw new UserDataRemovedException(user.UserId);
            return new AccountErasureOutcome(receipt, StatusCodes.Status200OK, null, null);
        }
        catch (ErasureNotStartedException e)
        {
            return AccountErasureOutcome.Refused(StatusCodes.Status409Conflict, "Erasure not started", e.Message);
        }
        catch (ErasureNotVerifiedException)
        {
            return AccountErasureOutcome.Refused(
                StatusCodes.Status500InternalServerError,
                "Erasure not finished",
                "Your account is erased and its platform rows are gone, but some files could not be removed yet. Send the same request again to finish.");
        }
    }
}

/// <summary>An erasure's receipt, or the problem (status, title, detail) that stopped it.</summary>
public sealed record AccountErasureOutcome(ErasureReceipt? Receipt, int Status, string? Title, string? Detail)
{
    public static AccountErasureOutcome Refused(int status, string title, string detail) => new(null, status, title, detail);
}

public sealed record AccountDeletion(string? Confirm);
