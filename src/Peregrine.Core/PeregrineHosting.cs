using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Peregrine.Ai;
using Peregrine.AppConfig;
using Peregrine.Backup;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.DevTools;
using Peregrine.Errors;
using Peregrine.Feedback;
using Peregrine.Health;
using Peregrine.Interviews;
using Peregrine.Jobs;
using Peregrine.Mail;
using Peregrine.Resume;
using Peregrine.Security;
using Peregrine.Sessions;
using Peregrine.Settings;
using Peregrine.Storage;
using Peregrine.Tasks;

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
        services.AddCloudSeamDefaults();
        services.AddProblemDetails();
        services.AddWebSecurity();
        services.AddErrorHandling();
        services.AddUserContext();
        services.AddBackup();
        services.AddSingleton<JobsService>();
        services.AddSingleton<TasksService>();
        services.AddSingleton<InterviewsService>();
        services.AddSingleton<FirstRunService>();
        services.AddAiFeatures();
        services.AddResume();
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
            _ = app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value;
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

    /// <summary>
    /// The JSON API, feature by feature. Its paths are app-relative: <c>UseAppPathBase</c> strips the <c>/{app}</c> prefix
    /// the bastion forwards unchanged.
    /// </summary>
    public static WebApplication MapPeregrineApi(this WebApplication app)
    {
        app.MapAppConfig();
        app.MapSession();
        app.MapJobs();
        app.MapTasks();
        app.MapSystemStatus();
        app.MapBackup();
        app.MapAiFeatures();
        app.MapFeedback();
        app.MapUserConfig();
        app.MapSettings();
        app.MapResume();
        app.MapInterviews();
        app.MapMailStubs();
        if (app.Environment.IsDevelopment())
        {
            app.MapDevTools();
        }

        return app;
    }
}
