using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Peregrine.Tests.Infrastructure;

namespace Peregrine.Tests.Capacity;

/// <summary>Beyond capacity requests are refused at once with 503 and Retry-After; those admitted or queued are served.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class LoadSheddingTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ARequestBeyondTheQueueIsRefusedAtOnceAndTheQueuedOnesAreStillServed()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = 0;
        await using var app = await StartAsync(async context =>
        {
            Interlocked.Increment(ref started);
            await release.Task;
            await context.Response.WriteAsync("done");
        });
        using var client = app.GetTestClient();

        var running = client.GetAsync("/work");
        await Eventually.UntilAsync(() => Volatile.Read(ref started) == 1, Timeout);
        var queued = client.GetAsync("/work");
        await Task.Delay(100); // the second request is in the queue, not running
        Assert.Equal(1, Volatile.Read(ref started));

        using var refused = await client.GetAsync("/work").WaitAsync(Timeout);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("2", refused.Headers.GetValues("Retry-After").Single());
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, Volatile.Read(ref started)); // refused without running

        using (var alive = await client.GetAsync("/alive").WaitAsync(Timeout))
        {
            Assert.Equal(HttpStatusCode.OK, alive.StatusCode); // health is never queued behind users
        }

        release.SetResult();
        Assert.Equal(HttpStatusCode.OK, (await running.WaitAsync(Timeout)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await queued.WaitAsync(Timeout)).StatusCode);
    }

    private static async Task<WebApplication> StartAsync(RequestDelegate work)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["LoadShedding:MaxConcurrentRequests"] = "1";
        builder.Configuration["LoadShedding:QueueLimit"] = "1";
        builder.Configuration["LoadShedding:RetryAfter"] = "00:00:02";
        builder.Services.AddProblemDetails();
        var app = builder.Build();
        app.UseLoadShedding();
        app.MapGet("/alive", () => "ok");
        app.MapGet("/work", work);
        await app.StartAsync();
        return app;
    }
}
