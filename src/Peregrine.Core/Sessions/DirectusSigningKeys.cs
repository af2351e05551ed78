using System.Text;
using Microsoft.IdentityModel.Tokens;

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
