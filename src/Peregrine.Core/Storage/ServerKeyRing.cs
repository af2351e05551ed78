using System.Security.Cryptography;
using System.Text;

namespace Peregrine.Storage;

/// <summary>
/// The server secrets user DB keys are derived from: the current one (<c>CF_SERVER_SECRET</c>), which every DB is
/// brought to, and the previous ones (<c>CF_SERVER_SECRET_PREVIOUS</c>) kept only while a rotation is under way. Each
/// secret has a short key id that a DB's key record names; the id is a keyed hash, so it reveals nothing of the secret.
/// </summary>
public sealed class ServerKeyRing
{
    private readonly string _current;
    private readonly Dictionary<string, string> _previousById;

    public ServerKeyRing(string current, IEnumerable<string> previous)
    {
        ArgumentException.ThrowIfNullOrEmpty(current);
        _current = current;
        CurrentId = IdOf(current);
        _previousById = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var secret in previous)
        {
            var id = IdOf(secret);
            if (id == CurrentId || !_previousById.TryAdd(id, secret))
            {
                throw new ArgumentException($"CF_SERVER_SECRET_PREVIOUS lists key id {id} twice (or the current secret itself)");
            }
        }
    }

    public string CurrentId { get; }

    public IReadOnlyCollection<string> PreviousIds => _previousById.Keys;

    /// <summary>The first 8 hex digits of HMAC-SHA256(key = secret, "peregrine key id"): short, stable, and one-way.</summary>
    public static string IdOf(string secret) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), "peregrine key id"u8))[..8];

    /// <summary>One user's keys; previous keys are derived only when a DB turns out to need one.</summary>
    public DatabaseKeys For(string userId) => new(userId, CurrentId, DatabaseKey.Derive(_current, userId), this);

    /// <summary>
    /// A 256-bit key for <paramref name="purpose"/> other than a user's DB, HMAC-SHA256(secret, purpose), from the secret
    /// with id <paramref name="keyId"/> (current or previous); null when no configured secret has that id. A purpose is
    /// never a user id (those are UUIDs), so such a key never equals a user's DB key.
    /// </summary>
    public byte[]? DerivePurposeKey(string keyId, string purpose)
    {
        var secret = keyId == CurrentId ? _current : _previousById.GetValueOrDefault(keyId);
        return secret is null ? null : HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(purpose));
    }

    internal DatabaseKey? Derive(string keyId, string userId) =>
        _previousById.TryGetValue(keyId, out var secret) ? DatabaseKey.Derive(secret, userId) : null;

    // The secrets must never reach a log line by accident.
    public override string ToString() => $"ServerKeyRing(current {CurrentId}, previous [{string.Join(", ", PreviousIds)}])";
}

/// <summary>The keys one user's DB may be at: the current one, and the previous ones by key id.</summary>
public sealed class DatabaseKeys
{
    private readonly string _userId;
    private readonly ServerKeyRing _ring;

    internal DatabaseKeys(string userId, string currentId, DatabaseKey current, ServerKeyRing ring)
    {
        _userId = userId;
        _ring = ring;
        CurrentId = currentId;
        Current = current;
    }

    public string CurrentId { get; }

    public DatabaseKey Current { get; }

    /// <summary>The key with id <paramref name="keyId"/>, or null when no configured secret has that id.</summary>
    public DatabaseKey? Find(string keyId) => keyId == CurrentId ? Current : _ring.Derive(keyId, _userId);

    public override string ToString() => $"DatabaseKeys(current {CurrentId})";
}
