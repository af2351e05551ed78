using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Peregrine.Configuration;

namespace Peregrine.Sessions;

/// <summary>
/// Checks a Directus session JWT and returns the canonical user id it names, or null. Directus signs invite,
/// password-reset and share tokens with the same secret and issuer, so a valid signature alone is not a session:
/// the claims must have the shape of Directus's own session check.
/// </summary>
public sealed partial class DirectusSessionValidator
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly TokenValidationParameters _parameters;
    private readonly ILogger<DirectusSessionValidator> _logger;

    public DirectusSessionValidator(
        IOptions<PeregrineOptions> options,
        IOptions<DirectusSessionOptions> sessionOptions,
        TimeProvider timeProvider,
        ILogger<DirectusSessionValidator> logger)
    {
        var session = sessionOptions.Value;
        _logger = logger;
        _parameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKeyResolver = DirectusSigningKeys.Resolver(options.Value, session.AcceptBase64DecodedSecret, timeProvider),
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = session.ClockSkew,
            // Our own check so the one clock (TimeProvider) decides; exp is required, nbf honoured when present.
            LifetimeValidator = (notBefore, expires, _, parameters) =>
            {
                var now = timeProvider.GetUtcNow().UtcDateTime;
                return expires is { } exp && exp > now - parameters.ClockSkew
                    && (notBefore is not { } nbf || nbf <= now + parameters.ClockSkew);
            },
            ValidateIssuer = true,
            ValidIssuer = session.Issuer,
            // Directus session tokens have no audience; a token that has one is some other kind (checked below).
            ValidateAudience = false,
        };
    }

    /// <summary>The user's canonical lower-case UUID, or null when the token is not a valid Directus session.</summary>
    public async Task<string?> ValidateAsync(string token)
    {
        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid)
        {
            // The exception type names the reason (expired, bad signature, …); its message may quote the token.
            LogRefused(_logger, result.Exception?.GetType().Name ?? "invalid token");
            return null;
        }

        var reason = UserIdFromSessionClaims(((JsonWebToken)result.SecurityToken).EncodedPayload, out var userId);
        if (reason is not null)
        {
            LogRefused(_logger, reason);
        }

        return userId;
    }

    /// <summary>Null when the payload is a Directus session for a UUID user; otherwise why it is not.</summary>
    internal static string? UserIdFromSessionClaims(string encodedPayload, out string? userId)
    {
        userId = null;
        using var payload = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(encodedPayload));
        var claims = payload.RootElement;
        foreach (var foreign in (ReadOnlySpan<string>)["scope", "share", "aud"])
        {
            if (claims.TryGetProperty(foreign, out _))
            {
                return $"not a session token (has '{foreign}')";
            }
        }

        // Directus's own check: role may be null but must be there, as must both access flags.
        foreach (var required in (ReadOnlySpan<string>)["role", "app_access", "admin_access"])
        {
            if (!claims.TryGetProperty(required, out _))
            {
                return $"not a session token (no '{required}')";
            }
        }

        var id = claims.TryGetProperty("id", out var idClaim) ? idClaim : claims.TryGetProperty("sub", out var sub) ? sub : default;
        if (id.ValueKind != JsonValueKind.String)
        {
            return "no user id";
        }

        userId = CanonicalUserId(id.GetString()!);
        return userId is null ? "user id is not a UUID" : null;
    }

    /// <summary>
    /// The directory name for a user id: only exactly 36 characters of the hyphenated UUID form (Guid parsing alone
    /// would also accept surrounding whitespace), in lower case so one user never gets two trees.
    /// </summary>
    public static string? CanonicalUserId(string value) =>
        value.Length == 36 && Guid.TryParseExact(value, "D", out var uuid) ? uuid.ToString("D") : null;

    [LoggerMessage(Level = LogLevel.Information, Message = "Session token refused: {Reason}")]
    private static partial void LogRefused(ILogger logger, string reason);
}
