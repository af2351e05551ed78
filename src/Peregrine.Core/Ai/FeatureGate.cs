using Microsoft.Extensions.Options;
using Peregrine.CloudSeams;
using Peregrine.Configuration;
using Peregrine.Llm;
using Peregrine.Sessions;

namespace Peregrine.Ai;

/// <summary>
/// A tier gate's answer for one user and feature: what the JSON API refuses with and what a page shows instead of the
/// action. <see cref="OwnBackendUnlocks"/> is true only where an LLM of the user's own could unlock it (self-hosted);
/// the cloud never offers that. <see cref="UpgradeUrl"/> is the platform's upgrade page, when it configures one.
/// </summary>
public sealed record FeatureAccess(string Feature, string Tier, string MinimumTier, bool Allowed, bool OwnBackendUnlocks = false, string? UpgradeUrl = null);

/// <summary>Where a free user goes to upgrade: <c>Plans__UpgradeUrl</c>, an absolute http(s) address, or none.</summary>
public sealed class PlanOptions
{
    public const string Section = "Plans";

    public string? UpgradeUrl { get; set; }

    /// <summary>The configured address when it is a usable absolute http(s) URL; anything else shows no link.</summary>
    public string? ValidUpgradeUrl =>
        Uri.TryCreate(UpgradeUrl, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp)
            ? url.AbsoluteUri
            : null;
}

/// <summary>
/// The one question every gated feature asks, from the JSON API and from the pages alike: the user's tier (in the demo
/// the simulated one, through <see cref="ITierSource"/>) against <see cref="FeatureTiers"/>, with an LLM of the
/// user's own unlocking what upstream lets BYOK unlock. The demo's router has no own backend, so there the pills decide.
/// </summary>
public sealed class FeatureGate(ITierSource tiers, ILlmRouter router, IOptions<PeregrineOptions> peregrine, IOptions<PlanOptions> plans)
{
    public async Task<FeatureAccess> CheckAsync(UserContext user, string feature, CancellationToken cancellationToken)
    {
        var tier = await tiers.GetTierAsync(user.UserId, cancellationToken);
        // BYOK is a self-hosted idea: the cloud and the demo use the platform's inference (or none), never a user's key.
        var ownBackendUnlocks = !user.IsCloud && !peregrine.Value.DemoMode && FeatureTiers.OwnBackendUnlocks(feature);
        return new FeatureAccess(
            feature,
            tier,
            FeatureTiers.MinimumTier(feature),
            FeatureTiers.CanUse(tier, feature, router.HasOwnBackend(user)),
            ownBackendUnlocks,
            plans.Value.ValidUpgradeUrl);
    }
}
