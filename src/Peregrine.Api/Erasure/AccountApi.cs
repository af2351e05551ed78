using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Peregrine.Api.Platform;
using Peregrine.Sessions;

namespace Peregrine.Api.Erasure;

/// <summary><c>DELETE /{app}/api/account</c>: self-service GDPR erasure through <see cref="AccountService"/>.</summary>
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
        [FromBody] AccountDeletion? confirmation, UserContext user, AccountService account, HttpResponse response, CancellationToken cancellationToken) =>
        (await account.EraseAsync(user, confirmation?.Confirm, cancellationToken)).ToResult(receipt =>
        {
            AccountService.ForgetSession(response);
            return TypedResults.Ok(receipt);
        });
}

public sealed record AccountDeletion(string? Confirm);
