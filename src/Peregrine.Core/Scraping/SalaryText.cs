using System.Globalization;

namespace Peregrine.Scraping;

/// <summary>Upstream's salary text: <c>$120,000 – $150,000</c>, with the period when it is not a year.</summary>
public static class SalaryText
{
    public static string? Format(string? currency, decimal? min, decimal? max, string? unit = null)
    {
        if (min is null && max is null)
        {
            return null;
        }

        var symbol = currency?.Trim().ToUpperInvariant() switch
        {
            "USD" => "$",
            "EUR" => "€",
            "GBP" => "£",
            null or "" => string.Empty,
            var code => code + " ",
        };
        string Amount(decimal value) => symbol + value.ToString("#,0.##", CultureInfo.InvariantCulture);
        var range = min is { } low && max is { } high && low != high
            ? $"{Amount(low)} – {Amount(high)}"
            : Amount((min ?? max)!.Value);
        var period = unit?.Trim().ToUpperInvariant() switch
        {
            null or "" or "YEAR" or "YEARLY" or "ANNUAL" => string.Empty,
            "HOUR" or "HOURLY" => " / hour",
            "DAY" or "DAILY" => " / day",
            "WEEK" or "WEEKLY" => " / week",
            "MONTH" or "MONTHLY" => " / month",
            var other => " / " + other.ToLowerInvariant(),
        };
        return range + period;
    }
}
