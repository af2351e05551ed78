using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Peregrine.Configuration;
using Peregrine.Demo.Sandboxes;

namespace Peregrine.Demo.Limits;

/// <summary>
/// Per-visitor limits on what costs the demo disk and work: writes, and the requests that queue background tasks.
/// One global limiter, so endpoints other features add are covered without knowing about the demo; a request
/// without a valid visitor cookie is limited by its address. Over the limit: 429 problem+json with Retry-After.
/// </summary>
public static class DemoRateLimits
{
    public const string Refusal = "The public demo allows only so many changes per minute. Wait a moment and try again.";

    /// <summary>Paths (after the app's path base) of requests that queue a task: imports, discovery, enrichment, generation.</summary>
    private static readonly string[] TaskPrefixes = ["/api/tasks/", "/api/jobs/add", "/api/jobs/upload-csv", "/api/jobs/purge"];

    public static IServiceCollection AddDemoRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<DemoOptions>, IOptions<PeregrineOptions>, VisitorCookie>((limiter, demo, peregrine, cookie) =>
        {
            var pathBase = peregrine.Value.PathBase;
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(
                Limit(demo.Value.WritesPerMinute, context => IsWrite(context.Request) ? PartitionOf(context, cookie, "writes") : null),
                Limit(demo.Value.TaskSubmissionsPerMinute, context => QueuesTask(context.Request, pathBase) ? PartitionOf(context, cookie, "tasks") : null));
            limiter.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await DemoProblems.TooManyRequests(Refusal).ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    private static PartitionedRateLimiter<HttpContext> Limit(int perMinute, Func<HttpContext, string?> partition) =>
        PartitionedRateLimiter.Create<HttpContext, string>(context => partition(context) is { } key
            ? RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, perMinute),
                TokensPerPeriod = Math.Max(1, perMinute),
                ReplenishmentPeriod = TimeSpan.FromMinutes(1),
                QueueLimit = 0,
                AutoReplenishment = true,
            })
            : RateLimitPartition.GetNoLimiter(string.Empty));

    private static string PartitionOf(HttpContext context, VisitorCookie cookie, string kind) =>
        cookie.Read(context.Request) is { } visitor
            ? $"{kind}:visitor:{visitor}"
            : $"{kind}:address:{context.Connection.RemoteIpAddress}";

    private static bool IsWrite(HttpRequest request) =>
        !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));

    /// <summary>Matched on the path because the endpoints belong to other features; whether the app is a path base or a group.</summary>
    private static bool QueuesTask(HttpRequest request, string pathBase)
    {
        if (!HttpMethods.IsPost(request.Method))
        {
            return false;
        }

        var path = (request.PathBase + request.Path).Value ?? string.Empty;
        if (path.StartsWith(pathBase + "/", StringComparison.Ordinal))
        {
            path = path[pathBase.Length..];
        }

        return TaskPrefixes.Any(prefix => path.StartsWith(prefix, StringComparison.Ordinal))
            || path.EndsWith("/generate", StringComparison.Ordinal)
            || path.EndsWith("/suggest", StringComparison.Ordinal);
    }
}
