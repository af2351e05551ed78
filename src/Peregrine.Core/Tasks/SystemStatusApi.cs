using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Scraping;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Tasks;

/// <summary>
/// Upstream's <c>GET /api/system/status</c> (§6.1), with real values where upstream had a stub: the caller's running
/// tasks, when their last enrichment and discovery finished, and how many approved or applied jobs the integration has
/// not received yet. Enrichment runs when asked (no schedule), so <c>enrichment_next_run</c> stays null.
/// </summary>
public static class SystemStatusApi
{
    public static RouteGroupBuilder MapSystemStatus(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/system").RequireUser().WithTags("System");
        group.MapGet("/status", GetStatus).WithName("GetSystemStatus");
        return group;
    }

    public static async Task<Ok<SystemStatus>> GetStatus(UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT
                (SELECT count(*) FROM background_tasks WHERE status = 'running') AS tasks_running,
                (SELECT max(finished_at) FROM background_tasks WHERE task_type = @enrich AND status = 'completed') AS enrichment_last_run,
                (SELECT max(finished_at) FROM background_tasks WHERE task_type = @discovery AND status = 'completed') AS discovery_last_run,
                (SELECT count(*) FROM jobs WHERE status IN ('approved', 'applied') AND coalesce(notion_page_id, '') = '') AS integration_unsynced;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var row = await db.QuerySingleAsync<(long TasksRunning, string? EnrichmentLastRun, string? DiscoveryLastRun, long IntegrationUnsynced)>(
            new CommandDefinition(sql, new { enrich = EnrichDescriptionsHandler.Type, discovery = TasksApi.DiscoveryTaskType }, cancellationToken: cancellationToken));
        return TypedResults.Ok(new SystemStatus(
            EnrichmentEnabled: true,
            row.EnrichmentLastRun,
            EnrichmentNextRun: null,
            row.DiscoveryLastRun,
            row.TasksRunning,
            IntegrationName: "Notion",
            row.IntegrationUnsynced));
    }
}

public sealed record SystemStatus(
    bool EnrichmentEnabled,
    string? EnrichmentLastRun,
    string? EnrichmentNextRun,
    string? DiscoveryLastRun,
    long TasksRunning,
    string IntegrationName,
    long IntegrationUnsynced);
