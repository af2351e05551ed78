using Peregrine.Api.Platform;

namespace Peregrine.Api;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPeregrineCore();
        builder.AddPlatformDatabase();
    }
}
