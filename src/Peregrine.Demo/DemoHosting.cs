using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Peregrine.Backup;
using Peregrine.CloudSeams;
using Peregrine.Demo.Limits;
using Peregrine.Demo.Sandboxes;
using Peregrine.Demo.Seed;
using Peregrine.Demo.Tiers;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Demo;

/// <summary>What makes the shared core a public demo: sandboxes per visitor, the simulated tier, abuse limits.</summary>
public static class DemoHosting
{
    public static IHostApplicationBuilder AddDemo(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.Section);
        services.AddSingleton<DemoPaths>();
        services.AddSingleton<DemoSeed>();
        services.AddSingleton<DemoSandboxes>();
        services.AddSingleton<VisitorCookie>();
        services.AddSingleton<NewVisitorLimiter>();
        services.AddHostedService<SandboxSweeper>();

        // Every per-user endpoint, page and task acts on the visitor's sandbox.
        services.AddSingleton<DemoVisitorResolver>();
        services.Replace(ServiceDescriptor.Singleton<IUserContextResolver>(sp => sp.GetRequiredService<DemoVisitorResolver>()));
        services.Replace(ServiceDescriptor.Singleton<ITaskOwnerDirectory, SandboxTaskOwners>());

        services.AddHttpContextAccessor();
        services.AddSingleton<FreeTierSource>();
        services.Replace(ServiceDescriptor.Singleton<ITierSource, DemoTierSource>());

        // The key ring lives under the demo's data root: visitors keep their sandbox across restarts, and no secret is configured.
        services.AddDataProtection().SetApplicationName("peregrine-demo");
        services.AddOptions<KeyManagementOptions>().Configure<DemoPaths, ILoggerFactory>((keys, paths, logs) =>
            keys.XmlRepository = new FileSystemXmlRepository(new DirectoryInfo(paths.Keys), logs));
        services.AddAntiforgery();

        services.AddDemoRateLimits();
        services.AddOptions<StorageOptions>().Configure<IOptions<DemoOptions>>((storage, demo) =>
        {
            var max = Math.Max(0, demo.Value.MaxJobsPerSandbox);
            storage.ConnectionOpened = connection => JobCap.Install(connection, max);
        });
        services.AddExceptionHandler<JobCap>();
        services.AddOptions<BackupOptions>().Configure<IOptions<DemoOptions>>((backup, demo) =>
        {
            backup.MaxUploadBytes = Math.Min(backup.MaxUploadBytes, demo.Value.MaxUploadBytes);
            backup.MaxUncompressedBytes = Math.Min(backup.MaxUncompressedBytes, demo.Value.MaxUncompressedBytes);
        });
        services.AddOptions<KestrelServerOptions>().Configure<IOptions<DemoOptions>>((kestrel, demo) => kestrel.Limits.MaxRequestBodySize = demo.Value.MaxUploadBytes);
        services.AddOptions<FormOptions>().Configure<IOptions<DemoOptions>>((form, demo) => form.MultipartBodyLengthLimit = demo.Value.MaxUploadBytes);
        return builder;
    }

    /// <summary>Start-up: the template of this seed version exists, and the sandboxes left on disk are swept.</summary>
    public static async Task PrepareDemoAsync(this WebApplication app, CancellationToken cancellationToken = default)
    {
        await app.Services.GetRequiredService<DemoSeed>().EnsureTemplateAsync(cancellationToken);
        await app.Services.GetRequiredService<DemoSandboxes>().LoadAsync(cancellationToken);
    }
}
