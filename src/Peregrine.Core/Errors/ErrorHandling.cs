using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Peregrine.Errors;

/// <summary>
/// The one place an exception becomes a response. Known failures (a request the framework could not read, a user's
/// DB that cannot be opened, storage that is full or read-only) get their own status and a detail that says what to
/// do; anything else stays the generic 500 problem. Never exception text, never a server path.
/// </summary>
public static class ErrorHandling
{
    public static IServiceCollection AddErrorHandling(this IServiceCollection services)
    {
        services.AddExceptionHandler<KnownFailureHandler>();
        // Binding failures (malformed JSON, a wrong type, a wrong content type) throw in every environment, so they
        // reach the handler and get a detail instead of the framework's bare status code.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<ProblemDetailsOptions>(o =>
        {
            var previous = o.CustomizeProblemDetails;
            o.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                context.ProblemDetails.Detail ??= KnownFailures.DetailFor(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode);
            };
        });
        return services;
    }

    private sealed class KnownFailureHandler(IProblemDetailsService problems, ILogger<KnownFailureHandler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
        {
            if (KnownFailures.Describe(exception) is not { } failure || http.Response.HasStarted)
            {
                return false;
            }

            if (failure.Status >= StatusCodes.Status500InternalServerError)
            {
                logger.LogWarning("{Path} answered {Status}: {Title} ({Kind})", http.Request.Path, failure.Status, failure.Title, exception.GetType().Name);
            }

            http.Response.StatusCode = failure.Status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = new ProblemDetails { Status = failure.Status, Title = failure.Title, Detail = failure.Detail },
            });
        }
    }
}
