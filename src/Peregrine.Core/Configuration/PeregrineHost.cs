using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;

namespace Peregrine.Configuration;

/// <summary>
/// How the Api and the Demo create their builder. The content root (where appsettings.json is looked for) is the
/// directory of the app's assemblies unless one is given (<c>--contentRoot</c>, <c>ASPNETCORE_CONTENTROOT</c>):
/// ASP.NET Core's default is the working directory, so started from the repository root the app found no settings
/// at all. And the quiet log levels are defaults in code, beneath every configuration source, because without them a
/// line per request and per SQL command halved small-request throughput.
/// </summary>
public static class PeregrineHost
{
    /// <summary>Per-request categories at Warning; an operator can still lower any of them in configuration.</summary>
    public static IReadOnlyDictionary<string, string?> LoggingDefaults { get; } = new Dictionary<string, string?>
    {
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Warning",
        ["Logging:LogLevel:Microsoft.Data.Sqlite"] = "Warning",
        ["Logging:LogLevel:Npgsql"] = "Warning",
        ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning",
    };

    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = ContentRootGiven(args) ? null : AppContext.BaseDirectory,
        });
        builder.Configuration.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LoggingDefaults });
        return builder;
    }

    private static bool ContentRootGiven(string[] args) =>
        args.Any(arg => arg.TrimStart('-', '/').StartsWith("contentRoot", StringComparison.OrdinalIgnoreCase))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
}
