using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Peregrine.Api.Platform;
using Peregrine.Sessions;

namespace Peregrine.Api.Erasure;

/// <summary><c>DELETE /{app}/api/account</c>: self-service GDPR erasure, confirmed by typing one's own user id.</summary>
public static class AccountApi
{
    public static RouteGroupBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/account").RequireUser().ReportsPlatformOutages().WithTags("Account");
        group.MapDelete("/", DeleteAccount).WithName("DeleteAccount").WithSummary("Erase the account: platform rows and every file");
        return group;
    }

    public static async Task<Results<Ok<ErasureReceipt>, ProblemHttpResult>> DeleteAccount(
        [FromBody] AccountDeletion? confirmation, UserContext user, UserErasure erasure, CancellationToken cancellationToken)
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

        return TypedResults.Ok(await erasure.EraseAsync(Guid.Parse(user.UserId), cancellationToken));
    }
}

public sealed record AccountDeletion(string? Confirm);
