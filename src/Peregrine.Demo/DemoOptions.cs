using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Demo;

/// <summary>The demo's sandboxes and abuse limits (configuration section <c>Demo</c>, e.g. <c>Demo__MaxSandboxes</c>).</summary>
public sealed class DemoOptions
{
    public const string Section = "Demo";

    /// <summary>Where seeds, sandboxes and the cookie keys live; default: the folder of <c>STAGING_DB</c>.</summary>
    public string? DataRoot { get; set; }

    /// <summary>Sandboxes kept on disk; creating one more removes the least recently used idle one.</summary>
    public int MaxSandboxes { get; set; } = 1000;

    /// <summary>A sandbox nobody used for this long is removed (its visitor gets a fresh seed copy next time).</summary>
    public TimeSpan IdleExpiry { get; set; } = TimeSpan.FromHours(2);

    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Inserting a job beyond this many fails with 409 (every path: the API, tasks, a restored DB's later inserts).</summary>
    public int MaxJobsPerSandbox { get; set; } = 500;

    /// <summary>A sandbox's DB and files together; a write past it answers 413 and saves nothing.</summary>
    public long MaxSandboxBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>All sandboxes together on disk; past it, the least recently used idle sandboxes are removed.</summary>
    public long MaxTotalBytes { get; set; } = 2L * 1024 * 1024 * 1024;

    /// <summary>Largest request body, restore uploads included.</summary>
    public long MaxUploadBytes { get; set; } = 4L * 1024 * 1024;

    /// <summary>Largest total a restore upload may expand to.</summary>
    public long MaxUncompressedBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>Writes (POST, PUT, PATCH, DELETE) per visitor per minute.</summary>
    public int WritesPerMinute { get; set; } = 60;

    /// <summary>Requests that queue background work (imports, discovery, generation) per visitor per minute.</summary>
    public int TaskSubmissionsPerMinute { get; set; } = 10;

    /// <summary>New sandboxes (requests without a valid visitor cookie) per client address per minute.</summary>
    public int NewSandboxesPerMinutePerAddress { get; set; } = 30;
}

/// <summary>The demo's folders under its data root.</summary>
public sealed class DemoPaths(IOptions<DemoOptions> demo, IOptions<PeregrineOptions> peregrine)
{
    public string Root { get; } = Path.GetFullPath(string.IsNullOrWhiteSpace(demo.Value.DataRoot) ? peregrine.Value.DataRoot : demo.Value.DataRoot);

    /// <summary>Built seed templates, one folder per seed version.</summary>
    public string Seeds => Path.Combine(Root, "seed");

    public string Sandboxes => Path.Combine(Root, "sandboxes");

    /// <summary>The Data Protection key ring that signs visitor cookies (and antiforgery tokens).</summary>
    public string Keys => Path.Combine(Root, "keys");

    public string Sandbox(string visitorId) => Path.Combine(Sandboxes, visitorId);
}
