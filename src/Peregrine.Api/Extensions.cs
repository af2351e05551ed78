using Peregrine.Api.Components;
using Peregrine.Api.Platform;
using Peregrine.Web;

namespace Peregrine.Api;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPeregrineCore();
        builder.AddPlatformDatabase();
        builder.Services.AddPeregrineWeb().AddApiPages();
    }
}
