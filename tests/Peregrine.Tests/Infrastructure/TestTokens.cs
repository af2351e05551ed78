using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Peregrine.Tests.Infrastructure;

/// <summary>
/// Mints tokens shaped like Directus 12.4 session tokens, built by hand (base64url JSON + HMAC-SHA256) so tests do
/// not trust the library under test, and so malformed variants (<c>alg: none</c>, foreign headers, odd claims) are
/// one dictionary edit away. Typical use: <c>TestTokens.Session(userId)</c>, or
/// <c>TestTokens.Sign(TestTokens.SessionClaims(userId).With("scope", "password-reset"))</c>.
/// </summary>
public static class TestTokens
{
    /// <summary>The <c>DIRECTUS_JWT_SECRET</c> every <see cref="PeregrineApiFactory"/> is configured with.</summary>
    public const string JwtSecret = "test-directus-secret-0123456789abcdef";

    /// <summary>A valid session token for <paramref name="userId"/>, signed with <see cref="JwtSecret"/>.</summary>
    public static string Session(string userId) => Sign(SessionClaims(userId));

    /// <summary>
    /// The claims Directus puts in a session token: <c>{id, role, app_access, admin_access, session, iat, exp, iss}</c>,
    /// issued now with its 24 h lifetime. Edit the dictionary for negative cases.
    /// </summary>
    public static Dictionary<string, object?> SessionClaims(string userId, DateTimeOffset? issuedAt = null)
    {
        var iat = issuedAt ?? DateTimeOffset.UtcNow;
        return new Dictionary<string, object?>
        {
            ["id"] = userId,
            ["role"] = null,
            ["app_access"] = true,
            ["admin_access"] = false,
            ["session"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["iat"] = iat.ToUnixTimeSeconds(),
            ["exp"] = iat.AddHours(24).ToUnixTimeSeconds(),
            ["iss"] = "directus",
        };
    }

    public static Dictionary<string, object?> With(this Dictionary<string, object?> claims, string name, object? value)
    {
        claims[name] = value;
        return claims;
    }

    public static Dictionary<string, object?> Without(this Dictionary<string, object?> claims, params string[] names)
    {
        foreach (var name in names)
        {
            claims.Remove(name);
        }

        return claims;
    }

    /// <summary>
    /// HS256 over the UTF-8 bytes of <paramref name="secret"/> (or <paramref name="keyBytes"/>). <paramref name="alg"/>
    /// only changes what the header claims, e.g. <c>RS256</c> over an HMAC signature (algorithm confusion);
    /// <paramref name="header"/> adds header parameters (e.g. <c>crit</c>).
    /// </summary>
    public static string Sign(
        IDictionary<string, object?> claims, string secret = JwtSecret, string alg = "HS256", byte[]? keyBytes = null, IDictionary<string, object?>? header = null)
    {
        var fields = new Dictionary<string, object?> { ["alg"] = alg, ["typ"] = "JWT" };
        foreach (var (name, value) in header ?? new Dictionary<string, object?>())
        {
            fields[name] = value;
        }

        var unsigned = $"{Encode(fields)}.{Encode(claims)}";
        var signature = HMACSHA256.HashData(keyBytes ?? Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64Url(signature)}";
    }

    /// <summary>An unsecured JWT (<c>alg: none</c>, empty signature).</summary>
    public static string Unsecured(IDictionary<string, object?> claims) =>
        $"{Encode(new Dictionary<string, object?> { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(claims)}.";

    private static string Encode(IDictionary<string, object?> value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
