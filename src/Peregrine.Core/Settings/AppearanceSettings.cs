using System.Collections.Frozen;
using Peregrine.Errors;
using Peregrine.Sessions;

namespace Peregrine.Settings;

/// <summary>How the user wants Peregrine to look and tell time: the theme and the time zone dates are shown in.</summary>
public sealed record Appearance(string Theme, string? TimeZone);

/// <summary>
/// Settings → Appearance over <c>config/user.yaml</c> (keys <c>theme</c>, upstream's, and <c>time_zone</c>). The
/// pages read it on every render to put the theme on the page itself (no flash of the wrong colours) and to show
/// dates in the user's own time; <c>POST /api/settings/theme</c> and <c>/time-zone</c> write it.
/// </summary>
public static class AppearanceSettings
{
    public const string Auto = "auto";
    public const string ThemeKey = "theme";
    public const string TimeZoneKey = "time_zone";

    /// <summary>Upstream's six themes; the solarized ones use the light and dark palettes here.</summary>
    public static readonly IReadOnlyList<string> Themes = [Auto, "light", "dark", "solarized-dark", "solarized-light", "colorblind"];

    /// <summary>What the Settings page offers, in its order (the API also takes upstream's solarized names).</summary>
    public static readonly IReadOnlyList<string> OfferedThemes = [Auto, "light", "dark", "colorblind"];

    // Only the zones the system knows: an id is a file name under the zoneinfo folder, so a request must never name one.
    private static readonly Lazy<FrozenSet<string>> KnownZones = new(() =>
        TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Append("UTC").ToFrozenSet(StringComparer.Ordinal));

    public static Appearance Read(UserContext user)
    {
        var yaml = UserConfigFiles.Read(user, UserConfigFiles.UserYaml);
        var theme = yaml.Text(ThemeKey) is { } stored && Themes.Contains(stored) ? stored : Auto;
        var zone = yaml.Text(TimeZoneKey) is { } id && IsKnownZone(id) ? id : null;
        return new Appearance(theme, zone);
    }

    /// <summary>Upstream's 400 "Invalid theme: X" for anything else.</summary>
    public static Refusal? SetTheme(UserContext user, string? theme)
    {
        if (theme is null || !Themes.Contains(theme))
        {
            return Refusal.BadRequest($"Invalid theme: {theme}");
        }

        return Write(user, ThemeKey, theme);
    }

    /// <summary>An IANA zone the server knows ("Europe/Berlin"); an empty value goes back to UTC.</summary>
    public static Refusal? SetTimeZone(UserContext user, string? zone)
    {
        if (string.IsNullOrWhiteSpace(zone))
        {
            return Write(user, TimeZoneKey, null);
        }

        if (!IsKnownZone(zone))
        {
            return Refusal.BadRequest($"Unknown time zone: {(zone.Length > 64 ? zone[..64] + "…" : zone)}");
        }

        return Write(user, TimeZoneKey, zone);
    }

    public static bool IsKnownZone(string? id) => id is { Length: > 0 and <= 64 } && KnownZones.Value.Contains(id);

    /// <summary>The zone for showing dates: the user's, or UTC until they choose (or their browser tells us) one.</summary>
    public static TimeZoneInfo ZoneOf(Appearance appearance) =>
        appearance.TimeZone is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>Every zone the page's picker offers, by id.</summary>
    public static IReadOnlyList<string> Zones => [.. KnownZones.Value.Order(StringComparer.Ordinal)];

    public static string ThemeLabel(string theme) => theme switch
    {
        Auto => "Match my device (light or dark)",
        "light" => "Light",
        "dark" => "Dark",
        "colorblind" => "Colour-blind safe",
        "solarized-light" => "Solarized light",
        "solarized-dark" => "Solarized dark",
        _ => theme,
    };

    /// <summary>The choice the page shows as selected: upstream's solarized themes look like light and dark here.</summary>
    public static string OfferedEquivalent(string theme) => theme switch
    {
        "solarized-light" => "light",
        "solarized-dark" => "dark",
        _ => theme,
    };

    /// <summary>One key changed, every other key of the file kept; a file that does not parse is never overwritten.</summary>
    private static Refusal? Write(UserContext user, string key, string? value)
    {
        if (!UserConfigFiles.TryRead(user, UserConfigFiles.UserYaml, out var yaml))
        {
            return Refusal.Conflict(SetupBanners.MalformedUserYaml);
        }

        if (value is null)
        {
            yaml.Remove(key);
        }
        else
        {
            yaml[key] = value;
        }

        UserConfigFiles.Write(user, UserConfigFiles.UserYaml, yaml);
        return null;
    }
}
