using Microsoft.Extensions.Options;
using Peregrine.Configuration;

namespace Peregrine.Api.Operations;

/// <summary>
/// The service's own host (same environment, same services) built for one operator command, without serving. Logs go
/// to stderr at Warning, so stdout carries the command's output alone. Preparing a DB here never fails the service's
/// running tasks (<c>Storage:FailInterruptedTasks</c> off): the service may be running them right now.
/// </summary>
internal static class OperatorHost
{
    public delegate Task<int> Body(IServiceProvider services, PeregrineOptions settings, CancellationToken cancellationToken);

    public static async Task<int> RunAsync(string verb, string? app, Body body, CancellationToken cancellationToken)
    {
        var builder = PeregrineHost.CreateBuilder([]);
        if (app is not null)
        {
            builder.Configuration["PEREGRINE_APP"] = app;
        }

        builder.Configuration[$"{Storage.StorageOptions.SectionName}:{nameof(Storage.StorageOptions.FailInterruptedTasks)}"] = "false";
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.AddApplicationServices();
        await using var host = builder.Build();
        if (!host.PassesStartupChecks())
        {
            return OperatorCommands.Failed;
        }

        var settings = host.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value;
        if (!settings.CloudMode)
        {
            return OperatorCommands.Fail(OperatorCommands.BadUsage, $"{verb}: CLOUD_MODE is off; local mode keeps no per-user data");
        }

        return await body(host.Services, settings, cancellationToken);
    }
}
