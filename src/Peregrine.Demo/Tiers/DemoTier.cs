namespace Peregrine.Demo.Tiers;

/// <summary>
/// The simulated tier of the demo toolbar (as upstream's demo has it): cookie <c>prgn_demo_tier=&lt;tier&gt;; path=/; SameSite=Lax</c>,
/// one of free, paid, premium; default paid ("most compelling first impression"); any other value is ignored. Not
/// HttpOnly: upstream's SPA reads it for display.
/// </summary>
public static class DemoTier
{
    public const string CookieName = "prgn_demo_tier";
    public const string Default = "paid";

    public static readonly IReadOnlyList<string> All = ["free", "paid", "premium"];

    private static readonly object ChosenKey = new();

    public static bool IsValid(string? tier) => tier is not null && All.Contains(tier, StringComparer.Ordinal);

    /// <summary>The request's tier: one chosen earlier in this request, else the cookie's when valid, else the default.</summary>
    public static string Of(HttpContext? context)
    {
        if (context is null)
        {
            return Default;
        }

        if (context.Items.TryGetValue(ChosenKey, out var chosen) && chosen is string tier)
        {
            return tier;
        }

        return context.Request.Cookies.TryGetValue(CookieName, out var value) && IsValid(value) ? value! : Default;
    }

    /// <summary>Sets the cookie (and this request's tier); false, and nothing changed, for an invalid tier.</summary>
    public static bool TryChoose(HttpContext context, string? tier)
    {
        if (!IsValid(tier))
        {
            return false;
        }

        context.Items[ChosenKey] = tier;
        context.Response.Cookies.Append(CookieName, tier!, new CookieOptions { Path = "/", SameSite = SameSiteMode.Lax, IsEssential = true });
        return true;
    }
}
