using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
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
    UserTreeProvisioner provisioner) : IUserContextResolver
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

        var userId = await validator.ValidateAsync(token);
        if (userId is null)
        {
            return UserResolution.Refused(SignInWall.Expired(signInUrl));
        }

        var user = ForUser(settings, userId);
        await provisioner.EnsureProvisionedAsync(user, context.RequestAborted);
        return UserResolution.For(user);
    }

    /// <summary>
    /// The user's context in <paramref name="app"/> (default: this service's app); <paramref name="userId"/> is already
    /// a canonical UUID, and the path is checked anyway. The one recipe for a user's tree, DB path and key.
    /// </summary>
    public static UserContext ForUser(PeregrineOptions settings, string userId, string? app = null)
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
        };
    }
}
