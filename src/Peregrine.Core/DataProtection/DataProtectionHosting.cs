using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.DataProtection;

public static class DataProtectionHosting
{
    /// <summary>
    /// Cloud mode: the Data Protection key ring (antiforgery tokens, protected cookies) lives in the data root, wrapped
    /// with the server secret (<see cref="PeregrineOptions.KeyRingDirectory"/>), so it survives restarts and is shared by
    /// the app's replicas. An ephemeral ring, which a
    /// container with a read-only file system would otherwise get, made every form rendered before a restart fail.
    /// Local mode keeps ASP.NET Core's default ring (the user's profile).
    /// </summary>
    public static IHostApplicationBuilder AddCloudDataProtection(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDataProtection();
        // One discriminator per app, not the default content root: replicas and rebuilt images must read each other's tokens.
        builder.Services.AddOptions<DataProtectionOptions>().Configure<IOptions<PeregrineOptions>>((protection, peregrine) =>
            protection.ApplicationDiscriminator = $"peregrine-{peregrine.Value.App}");
        builder.Services.AddOptions<KeyManagementOptions>().Configure<IOptions<PeregrineOptions>, ILoggerFactory>((keys, peregrine, logs) =>
        {
            var options = peregrine.Value;
            if (!options.CloudMode)
            {
                return;
            }

            var ring = options.ServerKeys();
            keys.XmlRepository = new KeyRingDirectory(options.KeyRingDirectory(), ring, logs.CreateLogger<KeyRingDirectory>());
            keys.XmlEncryptor = new ServerSecretXmlEncryptor(ring);
        });
        return builder;
    }
}
