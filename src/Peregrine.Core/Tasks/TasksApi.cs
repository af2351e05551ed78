using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Jobs;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>Upstream's task endpoints (§6.7) over the caller's own <c>background_tasks</c>.</summary>
public static class TasksApi
{
    public static RouteGroupBuilder MapTasks(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/tasks").RequireUser().WithTags("Tasks");

        group.MapGet("", ListActive).WithName("ListActiveTasks").WithSummary("Queued and running tasks with their job");
        group.MapDelete("/{id:long}", Cancel).WithName("CancelTask");
        group.MapPost("/kill", KillAll).WithName("KillAllTasks");
        return group;
    }

    public static async Task<Ok<IReadOnlyList<ActiveTask>>> ListActive(UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return TypedResults.Ok(BackgroundTasks.Active(db));
    }

    /// <summary><c>{ok:false}</c> for a task that already finished, as upstream; 404 for one that is not the caller's.</summary>
    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Cancel(
        long id, UserContext user, UserDatabases databases, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return BackgroundTasks.Cancel(db, id, time) is { } cancelled
            ? TypedResults.Ok(new OkResponse(cancelled))
            : Problems.NotFound("Task not found");
    }

    public static async Task<Ok<KilledResponse>> KillAll(UserContext user, UserDatabases databases, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return TypedResults.Ok(new KilledResponse(BackgroundTasks.KillAll(db, time)));
    }
}

public sealed record KilledResponse(long Killed);
