using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;

namespace Peregrine.Api.Telemetry;

/// <summary>An event on its way to <c>usage_events</c>. Metadata is JSON text, or null when there was none.</summary>
public sealed record UsageEvent(Guid UserId, string App, string EventType, string? Metadata, DateTimeOffset OccurredAt);

/// <summary>The bounded queue between request threads and the <see cref="UsageEventWriter"/>.</summary>
public sealed class UsageEventQueue(IOptions<TelemetryOptions> options)
{
    // A full queue drops the newest event (DropWrite semantics) instead of making a request wait. Mode Wait with
    // TryWrite does exactly that and, unlike DropWrite (whose TryWrite always says true), tells us so we can count it.
    private readonly Channel<UsageEvent> _channel = Channel.CreateBounded<UsageEvent>(
        new BoundedChannelOptions(Math.Max(1, options.Value.QueueCapacity))
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });

    public ChannelReader<UsageEvent> Reader => _channel.Reader;

    /// <summary>Never waits; false when the queue is full (the event is lost).</summary>
    public bool TryEnqueue(UsageEvent usageEvent) => _channel.Writer.TryWrite(usageEvent);
}

/// <summary>
/// The one entry point for usage events in the cloud API (the runbook's "only entry point to usage_events").
/// On the request thread it only validates and enqueues: consent is checked by the writer, against the platform DB,
/// so neither a slow nor a missing Postgres can reach a request.
/// </summary>
public sealed class PlatformUsageTelemetry(
    UsageEventQueue queue,
    TelemetryMetrics metrics,
    TimeProvider clock,
    IOptions<PeregrineOptions> options) : IUsageTelemetry
{
    public void LogUsageEvent(string userId, string app, string eventType, IReadOnlyDictionary<string, object?>? metadata = null)
    {
        if (!options.Value.CloudMode)
        {
            return;
        }

        try
        {
            if (!Guid.TryParse(userId, out var id) || !UsageEventPrivacy.IsValidApp(app) || !UsageEventPrivacy.IsValidEventType(eventType))
            {
                metrics.Dropped("invalid");
                return;
            }

            string? json = null;
            if (metadata is { Count: > 0 })
            {
                var element = JsonSerializer.SerializeToElement(metadata);
                if (UsageEventPrivacy.ContainsPersonalData(element))
                {
                    metrics.Dropped("personal_data");
                    return;
                }

                json = element.GetRawText();
            }

            if (!queue.TryEnqueue(new UsageEvent(id, app, eventType, json, clock.GetUtcNow())))
            {
                metrics.Dropped("queue_full");
            }
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            // Metadata that cannot be serialised is the caller's bug, but it must never cost the user their request.
            metrics.Dropped("invalid");
        }
    }
}
