namespace Peregrine.CloudSeams;

/// <summary>
/// The one entry point for usage events (the runbook: "the only entry point to usage_events"). Fire-and-forget:
/// implementations must never throw into, or slow, the request that calls them. Metadata carries no PII.
/// </summary>
public interface IUsageTelemetry
{
    void LogUsageEvent(string userId, string app, string eventType, IReadOnlyDictionary<string, object?>? metadata = null);
}

/// <summary>Local mode and the demo: telemetry is off, so nothing is recorded or sent.</summary>
public sealed class NoUsageTelemetry : IUsageTelemetry
{
    public void LogUsageEvent(string userId, string app, string eventType, IReadOnlyDictionary<string, object?>? metadata = null)
    {
    }
}
