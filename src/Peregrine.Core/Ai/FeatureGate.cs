using Peregrine.CloudSeams;
using Peregrine.Llm;
using Peregrine.Sessions;

namespace Peregrine.Ai;

/// <summary>A tier gate's answer for one user and feature: what the JSON API refuses with and what a page shows instead of the action.</summary>
public sealed record FeatureAccess(string Feature, string Tier, string MinimumTier, bool Allowed);

/// <summary>
/// The one question every gated feature asks, from the JSON API and from the pages alike: the user's tier (in the demo
/// the simulated one, through <see cref="ITierSource"/>) against <see cref="FeatureTiers"/>, with an LLM of the
/// user's own unlocking what upstream lets BYOK unlock. The demo's router has no own backend, so there the pills decide.
/// </summary>
public sealed class FeatureGate(ITierSource tiers, ILlmRouter router)
{
    public async Task<FeatureAccess> CheckAsync(UserContext user, string feature, CancellationToken cancellationToken)
    {
        var tier = await tiers.GetTierAsync(user.UserId, cancellationToken);
        return new FeatureAccess(feature, tier, FeatureTiers.MinimumTier(feature), FeatureTiers.CanUse(tier, feature, router.HasOwnBackend(user)));
    }
}
