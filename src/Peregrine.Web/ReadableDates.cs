using System.Globalization;

namespace Peregrine.Web;

/// <summary>
/// Dates as people read them, in the user's own time zone: "Tue 9 Dec, 15:00 · in 3 days", "yesterday", "Mon 1 Dec
/// 2025". Stored values are UTC ISO text (ours), a bare date, or upstream's naive "YYYY-MM-DD HH:MM[:SS]" (read as UTC,
/// which is what upstream's API wrote). Nothing here ever shows an ISO string.
/// </summary>
public static class ReadableDates
{
    // Spelled out rather than taken from a culture: an image without ICU data would otherwise print invariant names.
    private static readonly string[] Weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private static readonly string[] InstantFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm'Z'", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm",
    ];

    /// <summary>A stored moment: an instant, or a calendar day with no time.</summary>
    public readonly record struct Moment(DateTimeOffset? Instant, DateOnly? Day);

    public static Moment? Parse(string? stored)
    {
        var text = stored?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (DateTimeOffset.TryParseExact(text, InstantFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant))
        {
            return new Moment(instant, null);
        }

        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? new Moment(null, day) : null;
    }

    /// <summary>"Tue 9 Dec, 15:00 · in 3 days"; the year only when it is not this year; the raw text never.</summary>
    public static string Describe(string? stored, TimeZoneInfo zone, DateTimeOffset now) =>
        Parse(stored) is { } moment ? $"{Calendar(moment, zone, now)} · {Relative(moment, zone, now)}" : "Date not known";

    /// <summary>Only the calendar part: "Tue 9 Dec, 15:00".</summary>
    public static string Calendar(string? stored, TimeZoneInfo zone, DateTimeOffset now) =>
        Parse(stored) is { } moment ? Calendar(moment, zone, now) : "Date not known";

    public static bool IsPast(string? stored, TimeZoneInfo zone, DateTimeOffset now) => Parse(stored) switch
    {
        { Instant: { } instant } => instant < now,
        { Day: { } day } => day < Today(zone, now),
        _ => false,
    };

    /// <summary>"in 3 days", "tomorrow", "today", "in 2 hours", "yesterday", "5 days ago".</summary>
    public static string Relative(Moment moment, TimeZoneInfo zone, DateTimeOffset now)
    {
        var day = moment.Day ?? LocalDay(moment.Instant!.Value, zone);
        var days = day.DayNumber - Today(zone, now).DayNumber;
        if (days == 0 && moment.Instant is { } instant)
        {
            var minutes = (int)Math.Round((instant - now).TotalMinutes);
            return minutes switch
            {
                >= 90 => $"today, in {(int)Math.Round(minutes / 60.0, MidpointRounding.AwayFromZero)} hours",
                >= 2 => $"today, in {minutes} minutes",
                > -2 => "now",
                > -90 => $"today, {-minutes} minutes ago",
                _ => $"today, {(int)Math.Round(-minutes / 60.0, MidpointRounding.AwayFromZero)} hours ago",
            };
        }

        return days switch
        {
            0 => "today",
            1 => "tomorrow",
            -1 => "yesterday",
            > 1 => $"in {days} days",
            _ => $"{-days} days ago",
        };
    }

    /// <summary>The value of a <c>datetime-local</c> input for a stored moment, in the user's zone.</summary>
    public static string? ToLocalInput(string? stored, TimeZoneInfo zone) => Parse(stored) switch
    {
        { Instant: { } instant } => TimeZoneInfo.ConvertTime(instant, zone).ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture),
        { Day: { } day } => day.ToString("yyyy-MM-dd'T'09:00", CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>
    /// A <c>datetime-local</c> value typed in the user's zone, as the stored UTC text; null when it is not one. A time
    /// that does not exist in the zone (the hour a clock skips) is read as the instant just after the gap.
    /// </summary>
    public static string? FromLocalInput(string? input, TimeZoneInfo zone)
    {
        if (!DateTime.TryParseExact(input?.Trim(), ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            || local.Year is < 2000 or > 2100)
        {
            return null;
        }

        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        return Storage.Timestamps.Format(new DateTimeOffset(utc, TimeSpan.Zero));
    }

    private static string Calendar(Moment moment, TimeZoneInfo zone, DateTimeOffset now)
    {
        var thisYear = Today(zone, now).Year;
        if (moment.Instant is { } instant)
        {
            var local = TimeZoneInfo.ConvertTime(instant, zone);
            return $"{Day(DateOnly.FromDateTime(local.DateTime), thisYear)}, {local.Hour:00}:{local.Minute:00}";
        }

        return Day(moment.Day!.Value, thisYear);
    }

    private static string Day(DateOnly day, int thisYear) =>
        $"{Weekdays[(int)day.DayOfWeek]} {day.Day} {Months[day.Month - 1]}{(day.Year == thisYear ? string.Empty : $" {day.Year}")}";

    private static DateOnly Today(TimeZoneInfo zone, DateTimeOffset now) => LocalDay(now, zone);

    private static DateOnly LocalDay(DateTimeOffset instant, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
