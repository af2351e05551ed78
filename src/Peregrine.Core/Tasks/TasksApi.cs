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
        group.MapPost("/discovery", QueueDiscovery).WithName("QueueDiscovery").WithSummary("Search the boards of the user's search profiles");
        group.MapPost("/enrich", QueueEnrichment).WithName("QueueEnrichment").WithSummary("Re-fetch missing or short descriptions");
        return group;
    }

    public const string DiscoveryTaskType = "discovery";

    public static Task<Accepted<TaskSubmission>> QueueDiscovery(
        UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken) =>
        QueueGlobalAsync(DiscoveryTaskType, user, databases, wakeup, time, cancellationToken);

    public static Task<Accepted<TaskSubmission>> QueueEnrichment(
        UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken) =>
        QueueGlobalAsync(Scraping.EnrichDescriptionsHandler.Type, user, databases, wakeup, time, cancellationToken);

    /// <summary>Queues a task that is about no single job → 202 <c>{task_id, is_new}</c> (an equal active task is reused).</summary>
    private static async Task<Accepted<TaskSubmission>> QueueGlobalAsync(
        string taskType, UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken) =>
        TypedResults.Accepted((string?)null, await SubmitGlobalAsync(taskType, user, databases, wakeup, time, cancellationToken));

    /// <summary>What the endpoints and the Home page's form both do: a task about no single job, durably queued (<see cref="TaskEnqueue"/>).</summary>
    public static Task<TaskSubmission> SubmitGlobalAsync(
        string taskType, UserContext user, UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, CancellationToken cancellationToken) =>
        wakeup.EnqueueAsync(databases, user, db => Task.FromResult(BackgroundTasks.Submit(db, taskType, jobId: 0, parameters: null, time)), cancellationToken);

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
