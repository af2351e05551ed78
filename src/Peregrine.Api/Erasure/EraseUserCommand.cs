using System.Text.Json;
using Microsoft.Extensions.Options;
using Peregrine.Api.Platform;
using Peregrine.Configuration;

namespace Peregrine.Api.Erasure;

/// <summary>
/// The operator's GDPR erasure: <c>dotnet Peregrine.Api.dll erase-user &lt;user-id&gt; [--app &lt;slug&gt;]</c>. It reads the
/// same environment as the service, prints the JSON receipt on stdout and exits 0; on bad input or failure it writes
/// one line to stderr and exits non-zero. <c>--app</c> only sets <c>PEREGRINE_APP</c>: erasure is always of the whole
/// user (every app folder under <c>&lt;root&gt;/&lt;user-id&gt;/</c> and every platform row), as the runbook's GDPR step.
/// </summary>
public static class EraseUserCommand
{
    public const string Name = "erase-user";
    private const string Usage = "usage: Peregrine.Api erase-user <user-id> [--app <slug>]";

    public static bool IsInvoked(string[] args) => args is [Name, ..];

    public static async Task<int> RunAsync(string[] args)
    {
        if (args is not [Name, var rawUserId, .. var rest] || !Guid.TryParse(rawUserId, out var userId) || !TryParseApp(rest, out var app))
        {
            return Fail(2, Usage);
        }

        var builder = WebApplication.CreateBuilder();
        if (app is not null)
        {
            builder.Configuration["PEREGRINE_APP"] = app;
        }

        // stdout carries the receipt alone.
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.AddApplicationServices();
        await using var host = builder.Build();
        if (!host.PassesStartupChecks())
        {
            return 1;
        }

        var options = host.Services.GetRequiredService<IOptions<PeregrineOptions>>().Value;
        if (!options.CloudMode)
        {
            return Fail(2, "erase-user: CLOUD_MODE is off; local mode keeps no per-user data to erase");
        }

        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            if (host.Services.GetRequiredService<PlatformDb>().IsConfigured)
            {
                await host.Services.GetRequiredService<PlatformSchema>().MigrateAsync(timeout.Token);
            }

            var receipt = await host.Services.GetRequiredService<UserErasure>().EraseAsync(userId, timeout.Token);
            Console.Out.WriteLine(JsonSerializer.Serialize(receipt, new JsonSerializerOptions(JsonSerializerDefaults.Web)
            {
                PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
                WriteIndented = true,
            }));
            return 0;
        }
        catch (Exception e) when (PlatformDb.IsOutage(e))
        {
            return Fail(1, "erase-user: the platform DB is not reachable (PLATFORM_DB_URL); nothing was removed from disk");
        }
        catch (ErasureNotStartedException e)
        {
            return Fail(1, $"erase-user: {e.Message}");
        }
        catch (Exception e) when (e is ErasureNotVerifiedException or IOException or UnauthorizedAccessException)
        {
            return Fail(1, $"erase-user: {(e is ErasureNotVerifiedException ? e.Message : "could not remove the user's files (" + e.GetType().Name + ")")}; run it again");
        }
    }

    private static bool TryParseApp(string[] rest, out string? app)
    {
        app = null;
        switch (rest)
        {
            case []:
                return true;
            case ["--app", var slug]:
                app = slug;
                return true;
            default:
                return false;
        }
    }

    private static int Fail(int exitCode, string line)
    {
        Console.Error.WriteLine(line);
        return exitCode;
    }
}
