using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.Sessions;

/// <summary>
/// A request whose user was erased while it ran (it waited for the erasure's hold, or another process removed the
/// tree) gets the same 401 as a session from before the erasure, not a 500.
/// </summary>
internal sealed class ErasedAccountExceptionHandler(IOptions<PeregrineOptions> options, IOptions<DirectusSessionOptions> sessionOptions) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not UserDataRemovedException)
        {
            return false;
        }

        await SignInWall.Erased(sessionOptions.Value.SignInUrlFor(options.Value.App)).ExecuteAsync(httpContext);
        return true;
    }
}
