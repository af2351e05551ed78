using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Tasks;

/// <summary>Upstream's task endpoints over the caller's own <c>background_tasks</c>, through <see cref="TasksService"/>.</summary>
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

    /// <summary>202 <c>{task_id, is_new}</c>; an equal active task is reused.</summary>
    public static async Task<Results<Accepted<TaskSubmission>, ProblemHttpResult>> QueueDiscovery(UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        (await tasks.StartAsync(user, TaskTypes.Discovery, cancellationToken)).ToResult(submitted => TypedResults.Accepted((string?)null, submitted));

    public static async Task<Results<Accepted<TaskSubmission>, ProblemHttpResult>> QueueEnrichment(UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        (await tasks.StartAsync(user, TaskTypes.EnrichDescriptions, cancellationToken)).ToResult(submitted => TypedResults.Accepted((string?)null, submitted));

    public static async Task<Ok<IReadOnlyList<ActiveTask>>> ListActive(UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tasks.ActiveAsync(user, cancellationToken));

    public static async Task<Results<Ok<OkResponse>, ProblemHttpResult>> Cancel(long id, UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        (await tasks.CancelAsync(user, id, cancellationToken)).ToResult(TypedResults.Ok);

    public static async Task<Ok<KilledResponse>> KillAll(UserContext user, TasksService tasks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await tasks.KillAllAsync(user, cancellationToken));
}
