using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Peregrine.Api.Platform;

namespace Peregrine.Api.Telemetry;

/// <summary>
/// Drains the queue into <c>usage_events</c> in batches: a fresh connection and transaction per batch (upstream kept
/// one connection that stayed in an aborted transaction after the first failure). Consent is applied in the INSERT
/// itself, so it is read at write time and a change takes effect on the next event. When Postgres is down the batch
/// is dropped and counted; the next batch tries again, so writing resumes by itself when Postgres returns.
/// </summary>
internal sealed class UsageEventWriter(
    UsageEventQueue queue,
    NpgsqlDataSource dataSource,
    TelemetryMetrics metrics,
    IOptions<TelemetryOptions> telemetryOptions,
    ILogger<UsageEventWriter> logger) : BackgroundService
{
    // A user without a consent row follows the onboarding defaults; all_disabled has no "default on". Only users with a
    // subscriptions row (ensured at first login) are recorded: an event still queued when its user was erased must not
    // bring the user back into the platform DB.
    // ORDER BY the batch position: a hash join may emit rows in any order, and the ids must follow the events' order.
    internal const string InsertSql = """
        INSERT INTO usage_events (user_id, app, event_type, metadata, occurred_at)
        SELECT e.user_id, e.app, e.event_type, e.metadata::jsonb, e.occurred_at
        FROM unnest(@UserIds, @Apps, @EventTypes, @Metadata, @OccurredAt) WITH ORDINALITY
            AS e(user_id, app, event_type, metadata, occurred_at, position)
        JOIN subscriptions s ON s.user_id = e.user_id
        LEFT JOIN telemetry_consent c ON c.user_id = e.user_id
        WHERE NOT COALESCE(c.all_disabled, false)
          AND COALESCE(c.usage_events_enabled, @UsageEventsByDefault)
        ORDER BY e.position
        """;

    private bool _platformDown;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<UsageEvent>(telemetryOptions.Value.BatchSize);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                batch.Clear();
                while (batch.Count < telemetryOptions.Value.BatchSize && queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                await WriteBatchAsync(batch, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task WriteBatchAsync(List<UsageEvent> batch, CancellationToken stoppingToken)
    {
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        budget.CancelAfter(telemetryOptions.Value.BatchTimeout);
        try
        {
            var written = await WriteAsync(batch, budget.Token);
            metrics.Written(written);
            metrics.Withheld(batch.Count - written);
            if (_platformDown)
            {
                _platformDown = false;
                logger.LogInformation("Platform DB reachable again; usage events are being written");
            }
        }
        catch (Exception e) when ((e is NpgsqlException or TimeoutException or OperationCanceledException) && !stoppingToken.IsCancellationRequested)
        {
            metrics.Dropped("platform_unavailable", batch.Count);
            if (!_platformDown)
            {
                _platformDown = true;
                logger.LogWarning("Platform DB unavailable ({Kind}); usage events are dropped until it returns", e.GetType().Name);
            }

            // Pooled connections to a restarted server are dead; start the next batch from fresh ones.
            dataSource.Clear();
        }
    }

    private async Task<int> WriteAsync(List<UsageEvent> batch, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var userIds = batch.Select(e => e.UserId).ToArray();
        var written = await connection.ExecuteAsync(new CommandDefinition(
            InsertSql,
            new
            {
                UserIds = userIds,
                Apps = batch.Select(e => e.App).ToArray(),
                EventTypes = batch.Select(e => e.EventType).ToArray(),
                Metadata = batch.Select(e => e.Metadata).ToArray(),
                OccurredAt = batch.Select(e => e.OccurredAt.UtcDateTime).ToArray(),
                telemetryOptions.Value.UsageEventsByDefault,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return written;
    }
}
