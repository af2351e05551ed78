using System.Text;
using Microsoft.IdentityModel.Tokens;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

/// <summary>The HS256 keys a Directus session token may be signed with, derived from <c>DIRECTUS_JWT_SECRET</c>.</summary>
public static class DirectusSigningKeys
{
    /// <summary>The UTF-8 bytes of the secret first, then (when allowed and the string is base64) its decoded bytes.</summary>
    public static IReadOnlyList<SymmetricSecurityKey> From(string secret, bool acceptBase64Decoded)
    {
        var keys = new List<SymmetricSecurityKey> { Create(Encoding.UTF8.GetBytes(secret)) };
        if (acceptBase64Decoded && TryDecodeBase64(secret, out var decoded) && decoded.Length > 0)
        {
            keys.Add(Create(decoded));
        }

        return keys;
    }

    /// <summary>
    /// The keys a token is checked against at the moment of checking: the current secret's, plus the previous secret's
    /// while the overlap window (<c>DIRECTUS_JWT_SECRET_PREVIOUS_UNTIL</c>, an absolute UTC time) is open. An absolute
    /// end, rather than a duration from start-up, keeps its meaning across restarts and replicas.
    /// </summary>
    public static IssuerSigningKeyResolver Resolver(PeregrineOptions options, bool acceptBase64Decoded, TimeProvider time)
    {
        var current = From(options.DirectusJwtSecret ?? string.Empty, acceptBase64Decoded);
        if (options.PreviousJwtSecretExpiry() is not { } until)
        {
            return (_, _, _, _) => current;
        }

        IReadOnlyList<SymmetricSecurityKey> both = [.. current, .. From(options.PreviousDirectusJwtSecret!, acceptBase64Decoded)];
        return (_, _, _, _) => time.GetUtcNow() < until ? both : current;
    }

    /// <summary>
    /// IdentityModel refuses HMAC keys under 256 bits, but a Directus secret can be shorter (the runbook's recipe
    /// makes 32 characters; its base64 decoding is 24 bytes). HMAC zero-pads every key shorter than its 64-byte
    /// block, so padding to 32 bytes here yields exactly the MAC Directus computed with the short key.
    /// </summary>
    public static SymmetricSecurityKey Create(byte[] secret)
    {
        const int MinimumBytes = 32;
        var bytes = secret.Length >= MinimumBytes ? secret : [.. secret, .. new byte[MinimumBytes - secret.Length]];
        return new SymmetricSecurityKey(bytes);
    }

    private static bool TryDecodeBase64(string value, out byte[] decoded)
    {
        var buffer = new byte[value.Length];
        if (Convert.TryFromBase64String(value, buffer, out var written))
        {
            decoded = buffer[..written];
            return true;
        }

        decoded = [];
        return false;
    }
}
