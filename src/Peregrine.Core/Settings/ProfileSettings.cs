using System.Net.Mail;
using Peregrine.Sessions;

namespace Peregrine.Settings;

/// <summary>
/// Settings → My profile over <c>config/user.yaml</c>, in upstream's API shape. Other keys of the file (theme,
/// dismissed banners, wizard state, …) are kept as they are: the page and the endpoint only change these fields.
/// </summary>
public static class ProfileSettings
{
    public const int MaxShortText = 320;
    public const int MaxLongText = 10_000;
    public const int MaxMissions = 50;
    public static readonly IReadOnlySet<string> InferenceProfiles = new HashSet<string>(StringComparer.Ordinal) { "remote", "cpu", "single-gpu", "dual-gpu" };

    public static UserProfile Read(UserContext user)
    {
        var yaml = UserConfigFiles.Read(user, UserConfigFiles.UserYaml);
        var missions = yaml.TryGetValue("mission_preferences", out var value) && value is IDictionary<object, object?> map
            ? map.Select(p => new MissionPreference(p.Key.ToString() ?? string.Empty, p.Value?.ToString() ?? string.Empty)).ToList()
            : [];
        return new UserProfile(
            Name: yaml.Text("name") ?? string.Empty,
            Email: yaml.Text("email") ?? string.Empty,
            Phone: yaml.Text("phone") ?? string.Empty,
            LinkedinUrl: yaml.Text("linkedin") ?? string.Empty,
            CareerSummary: yaml.Text("career_summary") ?? string.Empty,
            CandidateVoice: yaml.Text("candidate_voice") ?? string.Empty,
            InferenceProfile: yaml.Text("inference_profile") ?? (user.IsCloud ? "remote" : "cpu"),
            MissionPreferences: missions,
            NdaCompanies: yaml.TextList("nda_companies"),
            AccessibilityFocus: IsTrue(yaml.Text("candidate_accessibility_focus")),
            LgbtqFocus: IsTrue(yaml.Text("candidate_lgbtq_focus")));
    }

    /// <summary>The first problem with <paramref name="profile"/>, in words a user can act on; null when it is fine.</summary>
    public static string? Validate(UserProfile profile)
    {
        if (new[] { profile.Name, profile.Email, profile.Phone, profile.LinkedinUrl }.Any(s => s?.Length > MaxShortText))
        {
            return $"Name, email, phone and LinkedIn are at most {MaxShortText} characters each.";
        }

        if (new[] { profile.CareerSummary, profile.CandidateVoice }.Any(s => s?.Length > MaxLongText))
        {
            return $"The career summary and candidate voice are at most {MaxLongText} characters each.";
        }

        if (!string.IsNullOrWhiteSpace(profile.Email) && !MailAddress.TryCreate(profile.Email.Trim(), out _))
        {
            return "The email address does not look right.";
        }

        if (profile.InferenceProfile is { } inference && !InferenceProfiles.Contains(inference))
        {
            return $"inference_profile must be one of {string.Join(", ", InferenceProfiles)}.";
        }

        var missions = profile.MissionPreferences ?? [];
        if (missions.Count > MaxMissions || missions.Any(m => m.Industry?.Length > MaxShortText || m.Note?.Length > MaxLongText))
        {
            return $"At most {MaxMissions} mission preferences, each a short industry name and a note.";
        }

        return (profile.NdaCompanies ?? []).Count > MaxMissions ? $"At most {MaxMissions} NDA companies." : null;
    }

    public static void Write(UserContext user, UserProfile profile)
    {
        var yaml = UserConfigFiles.Read(user, UserConfigFiles.UserYaml);
        yaml["name"] = Clean(profile.Name);
        yaml["email"] = Clean(profile.Email);
        yaml["phone"] = Clean(profile.Phone);
        yaml["linkedin"] = Clean(profile.LinkedinUrl);
        yaml["career_summary"] = Clean(profile.CareerSummary);
        yaml["candidate_voice"] = Clean(profile.CandidateVoice);
        yaml["inference_profile"] = profile.InferenceProfile ?? (user.IsCloud ? "remote" : "cpu");
        // Upstream keeps missions as a mapping industry → note; the API and the form speak a list.
        yaml["mission_preferences"] = (profile.MissionPreferences ?? [])
            .Where(m => !string.IsNullOrWhiteSpace(m.Industry))
            .GroupBy(m => m.Industry!.Trim(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => Clean(g.Last().Note));
        yaml["nda_companies"] = (profile.NdaCompanies ?? []).Select(Clean).Where(c => c.Length > 0).ToList();
        yaml["candidate_accessibility_focus"] = profile.AccessibilityFocus;
        yaml["candidate_lgbtq_focus"] = profile.LgbtqFocus;
        UserConfigFiles.Write(user, UserConfigFiles.UserYaml, yaml);
    }

    /// <summary>Browsers post textarea text with CRLF line ends; the file keeps LF.</summary>
    public static string Clean(string? text) => (text ?? string.Empty).Replace("\r\n", "\n", StringComparison.Ordinal).Trim();

    private static bool IsTrue(string? value) => bool.TryParse(value, out var on) && on;
}

public sealed record MissionPreference(string? Industry, string? Note);

public sealed record UserProfile(
    string? Name,
    string? Email,
    string? Phone,
    string? LinkedinUrl,
    string? CareerSummary,
    string? CandidateVoice,
    string? InferenceProfile,
    IReadOnlyList<MissionPreference>? MissionPreferences,
    IReadOnlyList<string>? NdaCompanies,
    bool AccessibilityFocus,
    bool LgbtqFocus);
