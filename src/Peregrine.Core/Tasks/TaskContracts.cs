namespace Peregrine.Tasks;

/// <summary>Upstream's <c>{task_id, is_new}</c>: the queued task, or the equal one already queued or running.</summary>
public sealed record TaskSubmission(long TaskId, bool IsNew);

/// <summary>A job's latest task of one type, as the SPA polls it: <c>status = "none"</c> when there is none.</summary>
public sealed record TaskProgress(string Status, string? Stage, string? Message);

/// <summary>A task with the title and company of its job, if any.</summary>
public sealed record ActiveTask(
    long Id,
    string TaskType,
    long JobId,
    string? Params,
    string Status,
    string? Stage,
    string? Error,
    string? CreatedAt,
    string? StartedAt,
    string? UpdatedAt,
    string? Title,
    string? Company);

/// <summary>What the Home page lists: queued and running tasks, then the latest results.</summary>
public sealed record TaskOverview(IReadOnlyList<ActiveTask> Active, IReadOnlyList<ActiveTask> RecentlyFinished);

public sealed record KilledResponse(long Killed);

/// <summary>Upstream's <c>{ok, output}</c> for "Score All", plus the queued task.</summary>
public sealed record ScoringQueued(bool Ok, string Output, long TaskId, bool IsNew);

public sealed record SystemStatus(
    bool EnrichmentEnabled,
    string? EnrichmentLastRun,
    string? EnrichmentNextRun,
    string? DiscoveryLastRun,
    long TasksRunning,
    string IntegrationName,
    long IntegrationUnsynced);

/// <summary>The <c>status</c> values of <c>background_tasks</c>, with the words a page shows for each.</summary>
public static class TaskStatuses
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Completed = "completed";
    public const string Failed = "failed";

    public static bool IsActive(string? status) => status is Queued or Running;

    public static string Label(string? status) => status switch
    {
        Queued => "Waiting to start",
        Running => "Running",
        Completed => "Done",
        Failed => "Did not finish",
        _ => "Unknown",
    };
}
