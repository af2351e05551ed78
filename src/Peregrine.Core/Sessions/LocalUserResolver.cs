using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Storage;

namespace Peregrine.Sessions;

/// <summary>
/// Local (self-hosted) mode: no session at all, one data folder (the folder of <c>STAGING_DB</c>) and a plain DB,
/// exactly like self-hosted Peregrine. Never used in cloud mode.
/// </summary>
public sealed class LocalUserResolver(IOptions<PeregrineOptions> options, UserTreeProvisioner provisioner) : IUserContextResolver
{
    public async ValueTask<UserResolution> ResolveAsync(HttpContext context)
    {
        var user = LocalUser(options.Value);
        await provisioner.EnsureProvisionedAsync(user, context.RequestAborted);
        return UserResolution.For(user);
    }

    /// <summary>The one user of a local (or demo) instance: the folder of <c>STAGING_DB</c> and its plain DB.</summary>
    public static UserContext LocalUser(PeregrineOptions settings)
    {
        var databasePath = settings.LocalDatabasePath;
        return new UserContext
        {
            UserId = UserContext.LocalUserId,
            App = settings.App,
            AppDirectory = Path.GetDirectoryName(databasePath)!,
            Database = new DatabaseLocation(UserContext.LocalUserId, databasePath, Key: null),
            IsCloud = false,
        };
    }
}
