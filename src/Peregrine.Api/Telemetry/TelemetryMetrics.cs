using System.Diagnostics.Metrics;

namespace Peregrine.Api.Telemetry;

/// <summary>Meter <c>Peregrine.Telemetry</c>: what the writer stored, and what it lost and why.</summary>
public sealed class TelemetryMetrics
{
    public const string MeterName = "Peregrine.Telemetry";

    private readonly Counter<long> _written;
    private readonly Counter<long> _withheld;
    private readonly Counter<long> _dropped;

    public TelemetryMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        _written = Meter.CreateCounter<long>("peregrine.telemetry.events.written", "{event}", "Usage events stored in the platform DB");
        _withheld = Meter.CreateCounter<long>("peregrine.telemetry.events.withheld", "{event}", "Usage events not stored because the user's consent forbids it");
        _dropped = Meter.CreateCounter<long>("peregrine.telemetry.events.dropped", "{event}", "Usage events lost: reason = queue_full, personal_data, invalid or platform_unavailable");
    }

    internal Meter Meter { get; }

    public void Written(long count) => _written.Add(count);

    public void Withheld(long count) => _withheld.Add(count);

    public void Dropped(string reason, long count = 1) => _dropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
}
