using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace Peregrine;

/// <summary>
/// Past what the host can serve, requests wait in one bounded queue, oldest first, and those beyond it are answered at
/// once with 503 and <c>Retry-After</c>. Without it every request was admitted, CPU-bound work (SQLite, rendering) ran
/// on ever more threads, and all users were slowed together; with it the requests admitted run at full speed, latency
/// grows with the queue (at most <see cref="LoadSheddingOptions.QueueLimit"/> requests deep) and the rest are refused
/// in microseconds. Health endpoints (<c>/health</c>, <c>/alive</c>) are never queued or shed.
/// </summary>
public static class LoadShedding
{
    public const string SectionName = "LoadShedding";

    private static readonly Meter Meter = new("Peregrine.Capacity");
    private static readonly Counter<long> Shed = Meter.CreateCounter<long>("peregrine.requests.shed", description: "Requests refused with 503 because the service was at capacity");

    /// <summary>Admits requests through the limiter configured in <see cref="SectionName"/>; place it first in the pipeline.</summary>
    public static IApplicationBuilder UseLoadShedding(this IApplicationBuilder app)
    {
        var configuration = (IConfiguration?)app.ApplicationServices.GetService(typeof(IConfiguration));
        var options = configuration?.GetSection(SectionName).Get<LoadSheddingOptions>() ?? new LoadSheddingOptions();
        if (options.MaxConcurrentRequests <= 0)
        {
            return app;
        }

        var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentRequests,
            QueueLimit = Math.Max(0, options.QueueLimit),
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var retryAfter = Math.Max(1, (int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return app.Use(async (context, next) =>
        {
            if (IsHealth(context.Request.Path))
            {
                await next(context);
                return;
            }

            using var lease = await limiter.AcquireAsync(1, context.RequestAborted);
            if (!lease.IsAcquired)
            {
                Shed.Add(1);
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                context.Response.Headers.RetryAfter = retryAfter;
                context.Response.Headers.CacheControl = "no-store";
                await Results.Problem(
                    title: "Service busy",
                    detail: "Peregrine is serving as many requests as it can right now; nothing was changed. Try again in a moment.",
                    statusCode: StatusCodes.Status503ServiceUnavailable).ExecuteAsync(context);
                return;
            }

            await next(context);
        });
    }

    private static bool IsHealth(PathString path) =>
        path.Equals("/health", StringComparison.OrdinalIgnoreCase) || path.Equals("/alive", StringComparison.OrdinalIgnoreCase);
}

/// <summary>The admission limits (configuration section <c>LoadShedding</c>).</summary>
public sealed class LoadSheddingOptions
{
    /// <summary>
    /// Requests served at once; 0 turns shedding off. The work is CPU-bound, so a few per core keep every core busy
    /// while the rest wait in the queue instead of on the thread pool. Default: 4 per core.
    /// </summary>
    public int MaxConcurrentRequests { get; set; } = 4 * Environment.ProcessorCount;

    /// <summary>
    /// Requests that wait for one of those, oldest served first; one more is refused. At about 1 ms of CPU per request
    /// per core, 128 per core is about 130 ms of queue at full load. Default: 128 per core.
    /// </summary>
    public int QueueLimit { get; set; } = 128 * Environment.ProcessorCount;

    /// <summary>What <c>Retry-After</c> tells a refused client (whole seconds, at least 1).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);
}
