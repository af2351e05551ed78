namespace Peregrine.Sessions;

/// <summary>
/// How Directus sessions are checked and where a refused user is sent. Bound from the <c>Session</c> configuration
/// section (<c>Session__Issuer</c>, <c>Session__SignInUrl</c>, … as environment variables); the defaults are what
/// the runbook's deployment needs, so a normal deployment sets none of them.
/// </summary>
public sealed class DirectusSessionOptions
{
    public const string Section = "Session";

    /// <summary>The <c>iss</c> claim Directus writes into its session tokens.</summary>
    public string Issuer { get; set; } = "directus";

    /// <summary>
    /// Where the sign-in wall points. <c>{app}</c> is replaced by the app slug and <c>{next}</c> by the page to come back
    /// to after signing in (the page the browser asked for; the app's home for API clients).
    /// </summary>
    public string SignInUrl { get; set; } = "https://circuitforge.tech/login?next={next}";

    /// <summary>Tolerated clock difference between Directus and this service for <c>exp</c> and <c>nbf</c>.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Also accept tokens signed with the base64-decoded bytes of <c>DIRECTUS_JWT_SECRET</c> when it is valid
    /// base64: Directus deployments differ in how they read the secret, and upstream's API tries both.
    /// </summary>
    public bool AcceptBase64DecodedSecret { get; set; } = true;

    public string SignInUrlFor(string app, string? next = null) =>
        SignInUrl.Replace("{app}", app, StringComparison.Ordinal).Replace("{next}", ReturnPath(next ?? $"/{app}"), StringComparison.Ordinal);

    /// <summary>A path (with its query) as a query value: escaped, but with its slashes kept readable.</summary>
    public static string ReturnPath(string path) => Uri.EscapeDataString(path).Replace("%2F", "/", StringComparison.Ordinal);
}
