using Peregrine.Sessions;

namespace Peregrine.Settings;

/// <summary>The setup hints upstream's SPA shows on its home page, minus those the user dismissed (<c>dismissed_banners</c> in user.yaml).</summary>
public static class SetupBanners
{
    public static readonly IReadOnlyList<SetupBanner> All =
    [
        new("setup_profile", "Tell Peregrine about yourself: name, career summary and voice", "/settings/profile"),
        new("setup_resume", "Add your resume so jobs get a match score", "/settings/resume"),
        new("setup_search", "Choose the titles and locations discovery searches for", "/settings/search"),
        new("run_discovery", "Run discovery to find your first jobs", "/"),
        new("setup_email", "Connect your email to track replies from employers", "/settings/system"),
        new("review_privacy", "Review what Peregrine may collect", "/settings/privacy"),
        new("make_backup", "Download a backup of your data", "/settings/data"),
    ];

    public static IReadOnlyList<SetupBanner> Visible(UserContext user)
    {
        var dismissed = Dismissed(user);
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

    private static HashSet<string> Dismissed(UserContext user) =>
        [.. UserConfigFiles.Read(user, UserConfigFiles.UserYaml).TextList("dismissed_banners")];
}

public sealed record SetupBanner(string Key, string Text, string Link);
