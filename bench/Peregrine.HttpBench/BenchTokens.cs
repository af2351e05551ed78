using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Peregrine.HttpBench;

/// <summary>Directus-shaped session tokens (HS256, the claims the Api's validator requires), one per bench user.</summary>
internal static class BenchTokens
{
    public const string JwtSecret = "bench-directus-secret-0123456789abcdef";

    public static string Session(string userId)
    {
        var now = DateTimeOffset.UtcNow;
        var claims = new Dictionary<string, object?>
        {
            ["id"] = userId,
            ["role"] = null,
            ["app_access"] = true,
            ["admin_access"] = false,
            ["session"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ["iat"] = now.ToUnixTimeSeconds(),
            ["exp"] = now.AddHours(24).ToUnixTimeSeconds(),
            ["iss"] = "directus",
        };
        var unsigned = $"{Encode(new Dictionary<string, object?> { ["alg"] = "HS256", ["typ"] = "JWT" })}.{Encode(claims)}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(JwtSecret), Encoding.ASCII.GetBytes(unsigned));
        return $"{unsigned}.{Base64Url(signature)}";
    }

    private static string Encode(Dictionary<string, object?> value) => Base64Url(JsonSerializer.SerializeToUtf8Bytes(value));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
