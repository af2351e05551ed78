using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Sessions;

namespace Peregrine.Tasks;

/// <summary>Upstream's <c>GET /api/system/status</c>: <see cref="TasksService.StatusAsync"/>.</summary>
public static class SystemStatusApi
{
    public static RouteGroupBuilder MapSystemStatus(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/system").RequireUser().WithTags("System");
        group.MapGet("/status", GetStatus).WithName("GetSystemStatus");
        return group;
    }

    public static async Task<Ok<SystemStatus>> GetStatus(UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tasks.StatusAsync(user, cancellationToken));
}
