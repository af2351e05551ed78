using System.Security.Cryptography;
using System.Text;

namespace Peregrine.Storage;

/// <summary>
/// A per-user 256-bit key, applied to SQLCipher as a raw key (<c>x'…'</c>). HMAC-SHA256 output is already
/// uniform, so the passphrase form's PBKDF2 (256,000 iterations, ~100 ms per open) would buy nothing.
/// </summary>
public sealed class DatabaseKey
{
    public const int Length = 32;
    private readonly byte[] _bytes;

    public DatabaseKey(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"A database key is {Length} bytes.", nameof(bytes));
        }

        _bytes = bytes.ToArray();
    }

    /// <summary>HMAC-SHA256(key = UTF-8 server secret, message = UTF-8 user id), as upstream derives it.</summary>
    public static DatabaseKey Derive(string serverSecret, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(serverSecret);
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return new DatabaseKey(HMACSHA256.HashData(Encoding.UTF8.GetBytes(serverSecret), Encoding.UTF8.GetBytes(userId)));
    }

    /// <summary>Lower-case hex, as upstream's <c>derive_db_key</c> returns it (and used it as a passphrase).</summary>
    public string ToHex() => Convert.ToHexStringLower(_bytes);

    /// <summary>The value for <c>PRAGMA key</c> or <c>Password=</c> that SQLCipher reads as a raw key.</summary>
    internal string ToRawKeyLiteral() => $"x'{ToHex()}'";

    public bool SameAs(DatabaseKey other) => CryptographicOperations.FixedTimeEquals(_bytes, other._bytes);

    // Keys must never reach a log line by accident.
    public override string ToString() => "DatabaseKey(redacted)";
}
