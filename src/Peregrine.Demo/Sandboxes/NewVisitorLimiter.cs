using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Peregrine.Demo.Sandboxes;

/// <summary>
/// New sandboxes per client address: without it, a script dropping its cookie on every request would create
/// sandboxes as fast as it can send and push every real visitor's sandbox out of the LRU bound.
/// </summary>
public sealed class NewVisitorLimiter : IDisposable
{
    public const string Refusal = "Too many new demo sessions from your address. Keep your cookies, or try again in a minute.";

    private readonly PartitionedRateLimiter<string> _limiter;

    public NewVisitorLimiter(IOptions<DemoOptions> options)
    {
        var perMinute = Math.Max(1, options.Value.NewSandboxesPerMinutePerAddress);
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetTokenBucketLimiter(address, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = perMinute,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));
    }

    public bool TryAdmit(HttpContext context)
    {
        using var lease = _limiter.AttemptAcquire(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
