using Peregrine.Tests.Infrastructure;
using Peregrine.Web;

namespace Peregrine.Tests.Interviews;

/// <summary>Dates as people read them, in the user's zone: never the stored ISO text.</summary>
[Trait(Category.Name, Category.Unit)]
public sealed class ReadableDatesTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Theory]
    [InlineData("2026-12-09T15:00:00Z", "UTC", "Wed 9 Dec, 15:00 · in 3 days")]
    [InlineData("2026-12-09T15:00:00Z", "Europe/Berlin", "Wed 9 Dec, 16:00 · in 3 days")]
    [InlineData("2026-12-07T10:00:00Z", "UTC", "Mon 7 Dec, 10:00 · tomorrow")]
    [InlineData("2026-12-06T12:00:00Z", "UTC", "Sun 6 Dec, 12:00 · today, in 3 hours")]
    [InlineData("2026-12-01T10:00:00Z", "UTC", "Tue 1 Dec, 10:00 · 5 days ago")]
    [InlineData("2027-01-12T08:30:00Z", "UTC", "Tue 12 Jan 2027, 08:30 · in 37 days")]
    [InlineData("2026-12-09", "UTC", "Wed 9 Dec · in 3 days")]
    [InlineData("2026-12-05 18:00:00", "UTC", "Sat 5 Dec, 18:00 · yesterday")]
    public void AStoredDateReadsAsADayATimeAndHowFarAway(string stored, string zone, string expected) =>
        Assert.Equal(expected, ReadableDates.Describe(stored, TimeZoneInfo.FindSystemTimeZoneById(zone), Now));

    [Fact]
    public void ADayCountsInTheUsersZoneNotInUtc()
    {
        // 23:30 UTC on the 6th is already the 7th in Berlin: "tomorrow" there, "today" in UTC.
        var late = "2026-12-06T23:30:00Z";
        Assert.EndsWith("tomorrow", ReadableDates.Describe(late, Berlin, Now), StringComparison.Ordinal);
        Assert.StartsWith("Mon 7 Dec, 00:30", ReadableDates.Describe(late, Berlin, Now), StringComparison.Ordinal);
        Assert.EndsWith("today, in 15 hours", ReadableDates.Describe(late, TimeZoneInfo.Utc, Now), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-12-06T08:59:00Z", true)]
    [InlineData("2026-12-06T09:01:00Z", false)]
    [InlineData("2026-12-05", true)]
    [InlineData("2026-12-06", false)]
    [InlineData("not a date", false)]
    public void PastInterviewsAreFlagged(string stored, bool past) => Assert.Equal(past, ReadableDates.IsPast(stored, TimeZoneInfo.Utc, Now));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("next Tuesday")]
    public void AnUnreadableDateSaysSoRatherThanShowingItsText(string? stored) =>
        Assert.Equal("Date not known", ReadableDates.Describe(stored, TimeZoneInfo.Utc, Now));

    [Fact]
    public void ATimeTypedInTheUsersZoneIsStoredAsUtcAndShownBackAsTyped()
    {
        var stored = ReadableDates.FromLocalInput("2026-12-09T15:00", Berlin);

        Assert.Equal("2026-12-09T14:00:00Z", stored);
        Assert.Equal("2026-12-09T15:00", ReadableDates.ToLocalInput(stored, Berlin));
    }

    [Fact]
    public void ATimeTheClockSkipsIsReadAsTheInstantAfterTheGap() =>
        // 02:30 does not exist in Berlin on 29 March 2026 (clocks go from 02:00 to 03:00): read as 03:30 local, 01:30 UTC.
        Assert.Equal("2026-03-29T01:30:00Z", ReadableDates.FromLocalInput("2026-03-29T02:30", Berlin));

    [Theory]
    [InlineData("")]
    [InlineData("tomorrow")]
    [InlineData("2026-13-01T10:00")]
    [InlineData("1850-01-01T10:00")]
    [InlineData("2026-12-09T15:00:00Z' OR 1=1")]
    public void AnythingThatIsNotADateAndTimeIsRefused(string input) => Assert.Null(ReadableDates.FromLocalInput(input, Berlin));
}
