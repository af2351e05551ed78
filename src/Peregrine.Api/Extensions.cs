using Peregrine.Api.Components;
using Peregrine.Api.Erasure;
using Peregrine.Api.Platform;
using Peregrine.Api.Privacy;
using Peregrine.DataProtection;
using Peregrine.Web;

namespace Peregrine.Api;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPeregrineCore();
        builder.AddPlatformDatabase();
        builder.AddCloudDataProtection();
        builder.Services.AddPeregrineWeb().AddApiPages();
    }

    /// <summary>The Api's own features, inside the <c>/{app}</c> group.</summary>
    public static void MapApplicationEndpoints(this RouteGroupBuilder app)
    {
        app.MapPrivacy();
        app.MapAccount();
    }
}
