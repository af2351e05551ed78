using Peregrine.Configuration;
using Peregrine.Sessions;

namespace Peregrine.Settings;

/// <summary>
/// Upstream's setup hints (dev-api.py <c>_SETUP_BANNERS</c>): the 13 fixed banners, in its order, with the links of its
/// SPA (<c>/settings?tab=…</c>), shown once the wizard is complete, minus <c>dismissed_banners</c> in user.yaml. Some
/// name features Peregrine Cloud does not have yet; upstream lists them all, so we do too.
/// </summary>
public static class SetupBanners
{
    public static readonly IReadOnlyList<SetupBanner> All =
    [
        new("connect_cloud", "Connect a cloud service for resume/cover letter storage", "/settings?tab=integrations"),
        new("setup_email", "Set up email sync to catch recruiter outreach", "/settings?tab=email"),
        new("setup_email_labels", "Set up email label filters for auto-classification", "/settings?tab=email"),
        new("tune_mission", "Tune your mission preferences for better cover letters", "/settings?tab=profile"),
        new("configure_keywords", "Configure keywords and blocklist for smarter search", "/settings?tab=search"),
        new("upload_corpus", "Upload your cover letter corpus for voice fine-tuning", "/settings?tab=fine-tune"),
        new("configure_linkedin", "Configure LinkedIn Easy Apply automation", "/settings?tab=integrations"),
        new("setup_searxng", "Set up company research with SearXNG", "/settings?tab=system"),
        new("target_companies", "Build a target company list for focused outreach", "/settings?tab=search"),
        new("setup_notifications", "Set up notifications for stage changes", "/settings?tab=integrations"),
        new("tune_model", "Tune a custom cover letter model on your writing", "/settings?tab=fine-tune"),
        new("review_training", "Review and curate training data for model tuning", "/settings?tab=fine-tune"),
        new("setup_calendar", "Set up calendar sync to track interview dates", "/settings?tab=integrations"),
    ];

    /// <summary>
    /// The banners whose feature Peregrine Cloud does not offer, by what the feature is called: the Home page lists
    /// these once, behind "Not available here", instead of a banner each. The other three (mission, keywords and
    /// blocklist, target companies) are steps of the first-run checklist.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> NotOfferedHere = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["connect_cloud"] = "Keeping résumés and letters in a cloud drive",
        ["setup_email"] = "E-mail sync that catches recruiters' messages",
        ["setup_email_labels"] = "Sorting those e-mails by label",
        ["upload_corpus"] = "Letters of your own to teach the writing style",
        ["configure_linkedin"] = "Applying through LinkedIn Easy Apply",
        ["setup_searxng"] = "Web search inside company research",
        ["setup_notifications"] = "Notifications when an application moves on",
        ["tune_model"] = "A letter-writing model tuned on your writing",
        ["review_training"] = "Reviewing that model's training examples",
        ["setup_calendar"] = "Calendar sync for interview dates",
    };

    public const string MalformedUserYaml =
        "Your saved profile settings cannot be read, so your setup state is unknown. Save your profile again, or restore it from a backup.";

    /// <summary>
    /// The banners to show: none until the wizard is complete (always complete in cloud and the demo, as
    /// <c>/api/config/app</c> says), else all but the dismissed. Null when user.yaml does not parse: upstream answered
    /// that with [] or a 500 carrying the parser's text; we say so plainly instead.
    /// </summary>
    public static IReadOnlyList<SetupBanner>? Visible(UserContext user, PeregrineOptions options)
    {
        if (!UserConfigFiles.TryRead(user, UserConfigFiles.UserYaml, out var yaml))
        {
            return null;
        }

        var wizardComplete = options.CloudMode || options.DemoMode
            || string.Equals(yaml.Text("wizard_complete"), "true", StringComparison.OrdinalIgnoreCase);
        if (!wizardComplete)
        {
            return [];
        }

        var dismissed = yaml.TextList("dismissed_banners").ToHashSet(StringComparer.Ordinal);
        return [.. All.Where(b => !dismissed.Contains(b.Key))];
    }

    /// <summary>False for a key that is not a banner: no free text reaches the file.</summary>
    public static bool Dismiss(UserContext user, string key)
    {
        if (All.All(b => b.Key != key))
        {
            return false;
        }

        var yaml = UserConfigFiles.Read(user, UserConfigFiles.UserYaml);
        var dismissed = yaml.TextList("dismissed_banners");
        if (!dismissed.Contains(key))
        {
            dismissed.Add(key);
            yaml["dismissed_banners"] = dismissed;
            UserConfigFiles.Write(user, UserConfigFiles.UserYaml, yaml);
        }

        return true;
    }
}

public sealed record SetupBanner(string Key, string Text, string Link);
