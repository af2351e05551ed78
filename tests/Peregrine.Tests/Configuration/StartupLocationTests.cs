using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Peregrine.Configuration;
using Peregrine.Tests.Deployment;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Configuration;

/// <summary>
/// Issue 11, fix 6: started from the repository root the Api found no appsettings.json (the content root was the
/// working directory) and logged a line per request and per SQL command.
/// </summary>
public sealed class StartupLocationTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly TestDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    [Trait(Category.Name, Category.Service)]
    public async Task StartedFromTheRepositoryRootItUsesItsOwnSettingsAndLogsNoLinePerRequest()
    {
        var port = LoopbackPort.Free();
        var start = ApiProcess.StartInfo(new Dictionary<string, string?>
        {
            ["STAGING_DB"] = _dir.Combine("local", "staging.db"),
            ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}",
        });
        start.WorkingDirectory = Repository.Root;
        var output = new ConcurrentQueue<string>();
        using var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilAliveAsync(client, process).WaitAsync(Timeout);
            for (var i = 0; i < 10; i++)
            {
                (await client.GetAsync("/peregrine/api/jobs?limit=5").WaitAsync(Timeout)).EnsureSuccessStatusCode();
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().WaitAsync(Timeout);
        }

        var log = string.Join('\n', output);
        Assert.Contains($"Content root path: {AppContext.BaseDirectory}", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Request starting", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Request finished", log, StringComparison.Ordinal);
        Assert.DoesNotContain("Executing endpoint", log, StringComparison.Ordinal);
    }

    [Fact]
    [Trait(Category.Name, Category.Unit)]
    public void WithoutAnySettingsFilePerRequestCategoriesStayBelowTheDefaultLevel()
    {
        var builder = PeregrineHost.CreateBuilder(["--contentRoot", _dir.Path]);
        using var services = builder.Services.BuildServiceProvider();
        var loggers = services.GetRequiredService<ILoggerFactory>();

        bool Logs(string category) => loggers.CreateLogger(category).IsEnabled(LogLevel.Information);

        Assert.Equal(_dir.Path, builder.Environment.ContentRootPath.TrimEnd(Path.DirectorySeparatorChar));
        Assert.False(Logs("Microsoft.AspNetCore.Hosting.Diagnostics"));
        Assert.False(Logs("Microsoft.AspNetCore.Routing.EndpointMiddleware"));
        Assert.False(Logs("Microsoft.EntityFrameworkCore.Database.Command"));
        Assert.False(Logs("Npgsql.Command"));
        Assert.False(Logs("System.Net.Http.HttpClient.Default.LogicalHandler"));
        Assert.True(Logs("Peregrine.Storage.UserDatabases"));
        Assert.True(Logs("Microsoft.Hosting.Lifetime"));
    }

    [Fact]
    [Trait(Category.Name, Category.Unit)]
    public void ConfigurationCanStillLowerADefaultLevel()
    {
        var builder = PeregrineHost.CreateBuilder(["--contentRoot", _dir.Path, "--Logging:LogLevel:Microsoft.AspNetCore=Information"]);
        using var services = builder.Services.BuildServiceProvider();

        Assert.True(services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics").IsEnabled(LogLevel.Information));
    }

    private static async Task WaitUntilAliveAsync(HttpClient client, Process process)
    {
        while (true)
        {
            Assert.False(process.HasExited, "the Api exited at start");
            try
            {
                if ((await client.GetAsync("/alive")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }
    }
}
