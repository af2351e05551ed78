namespace Peregrine.Api.Platform;

public static class PlatformRoutes
{
    /// <summary>
    /// Endpoints backed by the platform DB answer 503 (problem+json, no exception text) while it is unreachable or
    /// not configured, instead of a 500 or a hang; the rest of the service keeps working.
    /// </summary>
    public static RouteGroupBuilder ReportsPlatformOutages(this RouteGroupBuilder group)
    {
        group.AddEndpointFilter(async (invocation, next) =>
        {
            try
            {
                return await next(invocation);
            }
            catch (Exception e) when (PlatformDb.IsOutage(e) && !invocation.HttpContext.RequestAborted.IsCancellationRequested)
            {
                invocation.HttpContext.RequestServices.GetRequiredService<ILogger<PlatformDb>>()
                    .LogWarning("Platform DB unavailable for {Path} ({Kind})", invocation.HttpContext.Request.Path, e.GetType().Name);
                return TypedResults.Problem(
                    title: "Account settings are temporarily unavailable",
                    detail: "The platform database cannot be reached. Please try again in a few minutes.",
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        });
        return group;
    }
}
