using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;

namespace Peregrine.Demo.Tiers;

/// <summary>
/// The demo's <see cref="ITierSource"/>: every gate sees the tier the visitor simulates, but only while the demo flag
/// is on (upstream's <c>can_use(…, demo_tier)</c> ignores the demo tier otherwise). Outside a request (a background
/// task) there is no toolbar choice, so the default applies.
/// </summary>
public sealed class DemoTierSource(IHttpContextAccessor http, IOptions<PeregrineOptions> options, FreeTierSource fallback) : ITierSource
{
    public ValueTask<string> GetTierAsync(string userId, CancellationToken cancellationToken = default) =>
        options.Value.DemoMode ? ValueTask.FromResult(DemoTier.Of(http.HttpContext)) : fallback.GetTierAsync(userId, cancellationToken);
}
