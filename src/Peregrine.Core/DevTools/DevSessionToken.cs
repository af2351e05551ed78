using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Peregrine.Sessions;

namespace Peregrine.DevTools;

/// <summary>A token shaped like a Directus 12 session token (same claims, 24 h lifetime), for developer sign-in only.</summary>
internal static class DevSessionToken
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(24);

    public static (string Token, DateTimeOffset Expires) Mint(string userId, string secret, string issuer, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var expires = now + Lifetime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Claims = new Dictionary<string, object>
            {
                ["id"] = userId,
                ["role"] = null!,
                ["app_access"] = true,
                ["admin_access"] = false,
                ["session"] = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            },
            SigningCredentials = new SigningCredentials(
                DirectusSigningKeys.Create(Encoding.UTF8.GetBytes(secret)), SecurityAlgorithms.HmacSha256),
        };
        return (new JsonWebTokenHandler().CreateToken(descriptor), expires);
    }
}
