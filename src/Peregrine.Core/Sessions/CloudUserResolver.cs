using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.Sessions;

/// <summary>
/// Cloud mode: the request's Directus session decides the user, the user decides the tree
/// <c>&lt;CLOUD_DATA_ROOT&gt;/&lt;uuid&gt;/&lt;app&gt;/</c> and the DB key. Without a valid session the request is refused
/// before anything touches the disk; there is no shared fallback.
/// </summary>
public sealed class CloudUserResolver(
    IOptions<PeregrineOptions> options,
    IOptions<DirectusSessionOptions> sessionOptions,
    DirectusSessionValidator validator,
    UserTreeProvisioner provisioner,
    IAccountErasures erasures) : IUserContextResolver
{
    public async ValueTask<UserResolution> ResolveAsync(HttpContext context)
    {
        var settings = options.Value;
        var signInUrl = sessionOptions.Value.SignInUrlFor(settings.App);
        var token = SessionToken.From(context.Request);
        if (token.Length == 0)
        {
            return UserResolution.Refused(SignInWall.Missing(signInUrl));
        }

        var session = await validator.ValidateSessionAsync(token);
        if (session is null)
        {
            return UserResolution.Refused(SignInWall.Expired(signInUrl));
        }

        // A session from before the account's erasure is refused before anything touches the disk (a retried
        // erasure excepted: it must be able to finish what a failed one started, and it recreates nothing).
        var user = ForUser(settings, session.UserId, issuedAt: session.IssuedAt);
        var mayBeErased = context.GetEndpoint()?.Metadata.GetMetadata<AllowsErasedSession>() is not null;
        if (await erasures.RefusesSessionAsync(user.UserId, session.IssuedAt, refresh: false, context.RequestAborted))
        {
            return mayBeErased ? UserResolution.For(user) : UserResolution.Refused(SignInWall.Erased(signInUrl));
        }

        try
        {
            await provisioner.EnsureProvisionedAsync(user, context.RequestAborted);
        }
        catch (UserDataRemovedException)
        {
            return mayBeErased ? UserResolution.For(user) : UserResolution.Refused(SignInWall.Erased(signInUrl));
        }

        return UserResolution.For(user);
    }

    /// <summary>
    /// The user's context in <paramref name="app"/> (default: this service's app); <paramref name="userId"/> is already
    /// a canonical UUID, and the path is checked anyway. The one recipe for a user's tree, DB path and key.
    /// </summary>
    public static UserContext ForUser(PeregrineOptions settings, string userId, string? app = null, DateTimeOffset? issuedAt = null)
    {
        app ??= settings.App;
        var root = Path.TrimEndingDirectorySeparator(settings.DataRoot) + Path.DirectorySeparatorChar;
        var appDirectory = Path.GetFullPath(Path.Combine(root, userId, app));
        if (!appDirectory.StartsWith(root, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("a user's tree resolved outside CLOUD_DATA_ROOT");
        }

        var keys = settings.ServerKeys().For(userId);
        return new UserContext
        {
            UserId = userId,
            App = app,
            AppDirectory = appDirectory,
            Database = new DatabaseLocation(userId, Path.Combine(appDirectory, "staging.db"), keys.Current) { Keys = keys },
            IsCloud = true,
            SessionIssuedAt = issuedAt,
        };
    }
}

/// <summary>Endpoint metadata: a session issued before the account's erasure may call it (the erasure itself, to finish).</summary>
public sealed class AllowsErasedSession
{
    public static readonly AllowsErasedSession Instance = new();
}
