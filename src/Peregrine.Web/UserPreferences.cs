using Peregrine.Sessions;
using Peregrine.Settings;

namespace Peregrine.Web;

/// <summary>
/// The signed-in user's appearance (theme, time zone), read once per request: the layout puts the theme on the page
/// before anything is painted, and every date on the page is shown in the user's zone. Pages rendered for nobody (the
/// sign-in wall, an error) get the device's theme and UTC.
/// </summary>
public sealed class UserPreferences(CurrentUser current)
{
    private Appearance? _appearance;

    public Appearance Appearance => _appearance ??= current.User is { } user ? AppearanceSettings.Read(user) : new Appearance(AppearanceSettings.Auto, null);

    /// <summary>The <c>data-theme</c> of the page; none for "auto", so the stylesheet follows the system.</summary>
    public string? ThemeAttribute => Appearance.Theme == AppearanceSettings.Auto ? null : Appearance.Theme;

    public TimeZoneInfo Zone => AppearanceSettings.ZoneOf(Appearance);

    /// <summary>
    /// The page's <c>data-zone</c>: "unset" while a signed-in user has not said which zone they are in, so the page's
    /// script may tell us the browser's (once); none otherwise.
    /// </summary>
    public string? ZoneAttribute => current.User is not null && Appearance.TimeZone is null ? "unset" : null;

    /// <summary>The zone's name as the page says it ("Europe/Berlin", or "UTC").</summary>
    public string ZoneName => Appearance.TimeZone ?? "UTC";
}
