namespace Peregrine.Fetching;

/// <summary>Limits of every outbound fetch a task makes (configuration section <c>Fetch</c>).</summary>
public sealed class FetchOptions
{
    public const string SectionName = "Fetch";

    /// <summary>The whole fetch, redirects included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A body larger than this is refused, not truncated (a truncated page could lose its JSON-LD).</summary>
    public long MaxBodyBytes { get; set; } = 5 * 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;

    public string UserAgent { get; set; } = "PeregrineJobFetcher/1.0 (+https://circuitforge.tech/peregrine; fetches job pages its users added)";

    /// <summary>
    /// Addresses exempt from the private-address refusal, as <c>ip</c> or <c>ip:port</c> (<c>127.0.0.1</c>,
    /// <c>127.0.0.1:5080</c>). Empty in every deployment; tests and a demo's loopback board fixtures set it.
    /// </summary>
    public List<string> AllowedAddresses { get; set; } = [];
}
