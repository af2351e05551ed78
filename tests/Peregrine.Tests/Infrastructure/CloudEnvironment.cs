namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// The one place a test builds the cloud service's environment: cloud mode, a data root, the test secrets, and
/// optionally a platform DB. Every way of hosting the Api (in-process factory, server process, operator verb) starts
/// from this, so a new required variable is added here once.
/// </summary>
public static class CloudEnvironment
{
    /// <summary>The <c>CF_SERVER_SECRET</c> of every test: derive a user's key from it with <c>UserDatabase</c>.</summary>
    public const string ServerSecret = "test-server-secret-for-key-derivation";

    public static Dictionary<string, string?> For(string dataRoot, string? platformUrl = null, string serverSecret = ServerSecret, string? previousSecret = null)
    {
        var environment = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["CLOUD_MODE"] = "true",
            ["CLOUD_DATA_ROOT"] = dataRoot,
            ["DIRECTUS_JWT_SECRET"] = TestTokens.JwtSecret,
            ["CF_SERVER_SECRET"] = serverSecret,
        };
        if (platformUrl is not null)
        {
            environment["PLATFORM_DB_URL"] = platformUrl;
        }

        if (previousSecret is not null)
        {
            environment["CF_SERVER_SECRET_PREVIOUS"] = previousSecret;
        }

        return environment;
    }
}
