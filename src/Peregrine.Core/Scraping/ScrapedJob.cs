namespace Peregrine.Scraping;

/// <summary>What a job page says about its job; null where it says nothing.</summary>
public sealed record ScrapedJob(string? Title, string? Company, string? Location, bool? IsRemote, string? Salary, string? Description)
{
    public static readonly ScrapedJob Empty = new(null, null, null, null, null, null);

    /// <summary>Fields this one lacks are taken from <paramref name="fallback"/>.</summary>
    public ScrapedJob Or(ScrapedJob fallback) => new(
        Title ?? fallback.Title,
        Company ?? fallback.Company,
        Location ?? fallback.Location,
        IsRemote ?? fallback.IsRemote,
        Salary ?? fallback.Salary,
        Description ?? fallback.Description);
}
