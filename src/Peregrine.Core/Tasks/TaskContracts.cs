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

public sealed record SystemStatus(
    bool EnrichmentEnabled,
    string? EnrichmentLastRun,
    string? EnrichmentNextRun,
    string? DiscoveryLastRun,
    long TasksRunning,
    string IntegrationName,
    long IntegrationUnsynced);
