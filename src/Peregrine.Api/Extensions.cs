using Peregrine.Api.Components;
using Peregrine.Api.Platform;
using Peregrine.Api.Shards;
using Peregrine.DataProtection;
using Peregrine.Resume;
using Peregrine.Web;

namespace Peregrine.Api;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddPeregrineCore();
        builder.Services.AddResumeWorkerHost(typeof(ApiAssembly).Assembly);
        builder.AddPlatformDatabase();
        builder.AddShards();
        builder.AddCloudDataProtection();
        builder.Services.AddPeregrineWeb().AddApiPages();
    }
}
