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
        long id, UserContext user, UserDatabases databases, ITaskCancellation running, TimeProvider time, CancellationToken cancellationToken)
    {
        bool? cancelled;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            cancelled = BackgroundTasks.Cancel(db, id, time);
        }

        // After the row says "Cancelled by user": the stopped task finds it so and records nothing more.
        if (cancelled == true)
        {
            running.Cancel(user, id);
        }

        return cancelled is { } ok ? TypedResults.Ok(new OkResponse(ok)) : Problems.NotFound("Task not found");
    }

    public static async Task<Ok<KilledResponse>> KillAll(
        UserContext user, UserDatabases databases, ITaskCancellation running, TimeProvider time, CancellationToken cancellationToken)
    {
        int killed;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            killed = BackgroundTasks.KillAll(db, time);
        }

        running.CancelAll(user);
        return TypedResults.Ok(new KilledResponse(killed));
    }
}

public sealed record KilledResponse(long Killed);
