namespace Peregrine.Ai;

/// <summary>Upstream's tier gates: the minimum tier per feature, and what BYOK unlocks on free.</summary>
public static class FeatureTiers
{
    public const string CompanyResearch = "company_research";

    private static readonly string[] Order = ["free", "paid", "premium", "ultra"];

    private static readonly Dictionary<string, string> Minimum = new(StringComparer.Ordinal)
    {
        ["llm_career_summary"] = "paid",
        ["llm_expand_bullets"] = "paid",
        ["llm_suggest_skills"] = "paid",
        ["llm_job_titles"] = "paid",
        ["llm_mission_notes"] = "paid",
        ["llm_keywords_blocklist"] = "paid",
        [CompanyResearch] = "paid",
        ["interview_prep"] = "paid",
        ["survey_assistant"] = "paid",
        ["email_classifier"] = "paid",
        ["shared_cover_writer_model"] = "paid",
        ["llm_voice_guidelines"] = "premium",
        ["model_fine_tuning"] = "premium",
        ["multi_user"] = "premium",
        ["vue_ui_beta"] = "free",
    };

    private static readonly HashSet<string> ByokUnlockable = new(StringComparer.Ordinal)
    {
        "llm_career_summary", "llm_expand_bullets", "llm_suggest_skills", "llm_job_titles", "llm_mission_notes",
        CompanyResearch, "interview_prep", "survey_assistant",
    };

    /// <summary>The lowest tier that has the feature; <c>free</c> for one the table does not gate.</summary>
    public static string MinimumTier(string feature) => Minimum.GetValueOrDefault(feature, Order[0]);

    /// <summary>A tier as the UI names it: "Paid".</summary>
    public static string Label(string tier) => tier.Length == 0 ? tier : char.ToUpperInvariant(tier[0]) + tier[1..];

    /// <summary>Unknown features are allowed and an unknown tier is denied, as upstream's <c>can_use</c>.</summary>
    public static bool CanUse(string tier, string feature, bool hasOwnBackend)
    {
        var rank = Array.IndexOf(Order, tier);
        if (rank < 0)
        {
            return false;
        }

        if (!Minimum.TryGetValue(feature, out var minimum))
        {
            return true;
        }

        return rank >= Array.IndexOf(Order, minimum) || (hasOwnBackend && ByokUnlockable.Contains(feature));
    }
}
