using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Peregrine.Ai;
using Peregrine.AppConfig;
using Peregrine.Backup;
using Peregrine.Configuration;
using Peregrine.DevTools;
using Peregrine.Errors;
using Peregrine.Feedback;
using Peregrine.Health;
using Peregrine.Interviews;
using Peregrine.Jobs;
using Peregrine.Security;
using Peregrine.Sessions;
using Peregrine.Settings;
using Peregrine.Storage;
using Peregrine.Tasks;
using Peregrine.Telemetry;
using Peregrine.Tiers;

namespace Peregrine;

/// <summary>Wiring shared by the cloud API and the demo host (eShop's AddApplicationServices shape).</summary>
public static class PeregrineHosting
{
    public static IHostApplicationBuilder AddPeregrineCore(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<PeregrineOptions>().BindConfiguration(string.Empty);
        services.AddSingleton<IValidateOptions<PeregrineOptions>, PeregrineOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName);
        // Built by ActivatorUtilities: UserDatabases also has a convenience constructor for tools and tests.
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<UserDatabases>(sp));
        // Replaced by the platform DB writer in the cloud API; local mode and the demo record nothing.
        services.AddSingleton<IUsageTelemetry, NoUsageTelemetry>();
        // Replaced by the platform DB's subscriptions in the cloud API.
        services.AddSingleton<ITierSource, FreeTierSource>();
        // Replaced by the platform DB's subscriptions registry in the cloud API.
        services.AddSingleton<IAccountProvisioning, NoAccountProvisioning>();
        services.AddProblemDetails();
        services.AddWebSecurity();
        services.AddErrorHandling();
        services.AddUserContext();
        services.AddBackup();
        services.AddSingleton<JobsService>();
        services.AddAiFeatures();
        // Replaced by the task runner where one runs; enqueueing code goes through TaskEnqueue (marker, commit, wake).
        services.AddTaskWakeupDefault();
        services.AddTaskRunner();
        services.AddJobTasks();
        // One JSON policy: upstream's snake_case names (DTOs whose upstream shape differs say so themselves).
        services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
            // The web defaults read "4" as 4; a number sent as a string is a malformed request.
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        services.AddHealthChecks()
            .AddCheck<NativeEngineHealthCheck>("native-engine")
            .AddCheck<DataRootHealthCheck>("data-root");
        return builder;
    }

    /// <summary>
    /// Checks what must hold before serving: the configuration contract, the encryption engine and a writable data
    /// root. On failure it writes one line naming the problem to stderr and returns false, so the process exits non-zero.
    /// </summary>
    public static bool PassesStartupChecks(this WebApplication app)
    {
        try
        {
            var options = app.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value;
            SqliteEngine.EnsureLoaded();
            if (options.CloudMode)
            {
                OwnerOnlyFiles.ApplyToProcess();
            }

            if (DataRootAccess.Problem(options, Environment.GetEnvironmentVariable(DataRootAccess.HostPathVariable)) is { } problem)
            {
                Console.Error.WriteLine($"peregrine: cannot start: {problem}");
                return false;
            }

            return true;
        }
        catch (OptionsValidationException e)
        {
            Console.Error.WriteLine($"peregrine: cannot start: {string.Join("; ", e.Failures)}");
        }
        catch (NativeEngineMissingException e)
        {
            Console.Error.WriteLine($"peregrine: cannot start: {e.Message}");
        }

        return false;
    }

    /// <summary>The app's routes under the path base <c>/{app}</c>: the bastion forwards the path unchanged.</summary>
    public static RouteGroupBuilder MapPeregrineGroup(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value;
        // One error shape: an unhandled failure or a bare status code becomes problem+json, never exception text.
        app.UseWebSecurity();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAppPathBase(options.PathBase);
        var root = app.MapGroup(string.Empty);
        root.MapAppConfig();
        root.MapSession();
        root.MapJobs();
        root.MapTasks();
        root.MapSystemStatus();
        root.MapBackup();
        root.MapAiFeatures();
        root.MapFeedback();
        root.MapUserSettings().MapInterviews();
        if (app.Environment.IsDevelopment())
        {
            root.MapDevTools();
        }

        return root;
    }
}
