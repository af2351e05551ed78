namespace Peregrine.Api.Telemetry;

/// <summary>Bound from the <c>Telemetry</c> section (e.g. <c>Telemetry__QueueCapacity</c>).</summary>
public sealed class TelemetryOptions
{
    public const string Section = "Telemetry";

    /// <summary>Onboarding disclosure for a user without a consent row: usage events on ("new cloud users start opted-in").</summary>
    public bool UsageEventsByDefault { get; set; } = true;

    /// <summary>Onboarding default for de-identified content sharing: off (opt-in only).</summary>
    public bool ContentSharingByDefault { get; set; }

    /// <summary>Events waiting for the writer; beyond this the newest are dropped (and counted), never awaited.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    public int BatchSize { get; set; } = 500;

    /// <summary>How long one batch may take before it is given up (and its events counted as dropped).</summary>
    public TimeSpan BatchTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
