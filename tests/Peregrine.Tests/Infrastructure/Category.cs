namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// Test layers, as trait values of "Category": <c>./eng/test.sh --unit</c> runs only <see cref="Unit"/> in seconds, and
/// <c>--service</c>, <c>--browser</c>, <c>--distributed</c> one layer each.
/// </summary>
public static class Category
{
    public const string Name = "Category";

    /// <summary>Pure code and the native engine on temp files; no server, no network.</summary>
    public const string Unit = "Unit";

    /// <summary>WebApplicationFactory or a real process against real SQLCipher files and a real Postgres.</summary>
    public const string Service = "Service";

    /// <summary>The pages in headless Chromium against the whole AppHost, started once per collection.</summary>
    public const string Browser = "Browser";

    /// <summary>The whole AppHost (Postgres, api, demo, Caddy) started once per collection.</summary>
    public const string Distributed = "Distributed";

    /// <summary>
    /// The containers: images built from the Dockerfile, the generated compose files run with the runbook's own commands
    /// on a real Docker engine (<c>./eng/test.sh --deploy</c>).
    /// </summary>
    public const string Deploy = "Deploy";
}
