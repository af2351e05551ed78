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
        if (!user.IsCloud)
        {
            return TypedResults.Problem(
                title: "Not available in local mode",
                detail: "Self-hosted Peregrine keeps no account; delete the data folder to remove your data.",
                statusCode: StatusCodes.Status409Conflict);
        }

        if (!string.Equals(confirmation?.Confirm?.Trim(), user.UserId, StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(
                title: "Confirmation does not match",
                detail: "To erase your account, send {\"confirm\": \"<your user id>\"}.",
                statusCode: StatusCodes.Status400BadRequest);
        }

        try
        {
            // A session from before the erasure may only finish that erasure, never erase a new account opened since.
            var erased = user.SessionIssuedAt is { } issuedAt && await erasures.RefusesSessionAsync(user.UserId, issuedAt, refresh: false, cancellationToken);
            var userId = Guid.Parse(user.UserId);
            var receipt = !erased ? await erasure.EraseAsync(userId, cancellationToken)
                : erasure.IsUnfinished(userId) ? await erasure.FinishAsync(userId)
                : throw new UserDataRemovedException(user.UserId);
            // The browser's session names an account that no longer exists.
            response.Cookies.Delete(SessionToken.CookieName, new CookieOptions { Path = "/", HttpOnly = true, SameSite = SameSiteMode.Lax });
            return TypedResults.Ok(receipt);
        }
        catch (ErasureNotStartedException e)
        {
            return TypedResults.Problem(title: "Erasure not started", detail: e.Message, statusCode: StatusCodes.Status409Conflict);
        }
        catch (ErasureNotVerifiedException)
        {
            return TypedResults.Problem(
                title: "Erasure not finished",
                detail: "Your account is erased and its platform rows are gone, but some files could not be removed yet. Send the same request again to finish.",
                statusCode: StatusCodes.Status500InternalServerError);
        }
    }
}

public sealed record AccountDeletion(string? Confirm);
