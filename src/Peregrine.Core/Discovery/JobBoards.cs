using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Peregrine.Fetching;
using Peregrine.Scraping;

namespace Peregrine.Discovery;

/// <summary>Where the public board APIs live (configuration section <c>Discovery</c>); tests and the demo point them at loopback fixtures.</summary>
public sealed class DiscoveryOptions
{
    public const string SectionName = "Discovery";

    public Uri GreenhouseBaseUrl { get; set; } = new("https://boards-api.greenhouse.io/");

    public Uri LeverBaseUrl { get; set; } = new("https://api.lever.co/");

    public Uri AshbyBaseUrl { get; set; } = new("https://api.ashbyhq.com/");

    /// <summary>A whole board arrives in one response (descriptions included), so its cap is larger than a page's.</summary>
    public long MaxBoardBytes { get; set; } = 10 * 1024 * 1024;
}

/// <summary>One listing of a board, in the fields a job row keeps, plus its department (what the industry blocklist reads).</summary>
public sealed record BoardListing(
    string Title, string Company, string Url, string Source, string? Location, bool IsRemote, string? Salary, string? Description, DateTimeOffset? Posted,
    string? Department = null);

/// <summary>
/// The three public job-board JSON APIs companies publish for their own career sites, read through the guarded fetcher:
/// Greenhouse's Job Board API (<c>GET /v1/boards/{token}/jobs?content=true</c> → <c>{jobs:[{title, absolute_url,
/// location:{name}, content (escaped HTML), updated_at, company_name}]}</c>), Lever's Postings API
/// (<c>GET /v0/postings/{site}?mode=json</c> → <c>[{text, hostedUrl, categories:{location}, workplaceType,
/// descriptionPlain, salaryRange, createdAt (ms)}]</c>) and Ashby's Job Posting API
/// (<c>GET /posting-api/job-board/{board}?includeCompensation=true</c> → <c>{jobs:[{title, jobUrl, location, isRemote,
/// workplaceType, descriptionPlain, publishedAt, isListed, compensation}]}</c>).
/// </summary>
public sealed class JobBoards(PageFetcher fetcher, IOptions<DiscoveryOptions> options)
{
    public async Task<IReadOnlyList<BoardListing>> ReadAsync(BoardRef board, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var token = Uri.EscapeDataString(board.Token);
        var address = board.Kind switch
        {
            "greenhouse" => new Uri(settings.GreenhouseBaseUrl, $"v1/boards/{token}/jobs?content=true"),
            "lever" => new Uri(settings.LeverBaseUrl, $"v0/postings/{token}?mode=json"),
            "ashby" => new Uri(settings.AshbyBaseUrl, $"posting-api/job-board/{token}?includeCompensation=true"),
            _ => throw new FetchFailedException($"Unknown board kind {board.Kind}"),
        };
        var page = await fetcher.GetAsync(address, "application/json", cancellationToken, settings.MaxBoardBytes);
        try
        {
            using var json = JsonDocument.Parse(page.Body);
            return board.Kind switch
            {
                "greenhouse" => Greenhouse(json.RootElement, board.Token),
                "lever" => Lever(json.RootElement, board.Token),
                _ => Ashby(json.RootElement, board.Token),
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or KeyNotFoundException or FormatException)
        {
            throw new FetchFailedException($"{board} did not answer in its board format");
        }
    }

    private static List<BoardListing> Greenhouse(JsonElement root, string token) =>
        [.. Array(root, "jobs").Select(job => new BoardListing(
            Text(job, "title") ?? string.Empty,
            Text(job, "company_name") ?? DisplayName(token),
            Text(job, "absolute_url") ?? string.Empty,
            "greenhouse",
            job.TryGetProperty("location", out var location) ? Text(location, "name") : null,
            IsRemote(job.TryGetProperty("location", out var l) ? Text(l, "name") : null),
            null,
            Description(HtmlText.ToText(Text(job, "content"))),
            Date(Text(job, "first_published") ?? Text(job, "updated_at")),
            string.Join(", ", Array(job, "departments").Select(d => Text(d, "name")).OfType<string>())))];

    private static List<BoardListing> Lever(JsonElement root, string token) =>
        [.. Items(root).Select(job =>
        {
            var location = job.TryGetProperty("categories", out var categories) ? Text(categories, "location") : null;
            var salary = job.TryGetProperty("salaryRange", out var range) && range.ValueKind == JsonValueKind.Object
                ? SalaryText.Format(Text(range, "currency"), Number(range, "min"), Number(range, "max"), LeverInterval(Text(range, "interval")))
                : null;
            var created = Number(job, "createdAt") is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds((long)ms) : (DateTimeOffset?)null;
            return new BoardListing(
                Text(job, "text") ?? string.Empty,
                DisplayName(token),
                Text(job, "hostedUrl") ?? string.Empty,
                "lever",
                location,
                Text(job, "workplaceType") == "remote" || IsRemote(location),
                salary,
                Description(Text(job, "descriptionPlain") ?? HtmlText.ToText(Text(job, "description"))),
                created,
                job.TryGetProperty("categories", out var team) ? string.Join(", ", new[] { Text(team, "department"), Text(team, "team") }.OfType<string>()) : null);
        })];

    private static List<BoardListing> Ashby(JsonElement root, string token) =>
        [.. Array(root, "jobs").Where(job => !job.TryGetProperty("isListed", out var listed) || listed.ValueKind != JsonValueKind.False).Select(job =>
            new BoardListing(
                Text(job, "title") ?? string.Empty,
                DisplayName(token),
                Text(job, "jobUrl") ?? string.Empty,
                "ashby",
                Text(job, "location"),
                (job.TryGetProperty("isRemote", out var remote) && remote.ValueKind == JsonValueKind.True) || Text(job, "workplaceType") == "Remote",
                AshbySalary(job),
                Description(Text(job, "descriptionPlain") ?? HtmlText.ToText(Text(job, "descriptionHtml"))),
                Date(Text(job, "publishedAt")),
                string.Join(", ", new[] { Text(job, "department"), Text(job, "team") }.OfType<string>())))];

    private static string? AshbySalary(JsonElement job)
    {
        if (!job.TryGetProperty("compensation", out var compensation) || compensation.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var salary = Array(compensation, "summaryComponents").FirstOrDefault(c => Text(c, "compensationType") == "Salary");
        return salary.ValueKind == JsonValueKind.Object
            ? SalaryText.Format(Text(salary, "currencyCode"), Number(salary, "minValue"), Number(salary, "maxValue"), Text(salary, "interval")?.Split(' ').Last())
            : Text(compensation, "scrapeableCompensationSalarySummary") ?? Text(compensation, "compensationTierSummary");
    }

    private static string? LeverInterval(string? interval) => interval switch
    {
        "per-year-salary" => "YEAR",
        "per-hour-wage" => "HOUR",
        "per-month-salary" => "MONTH",
        "per-week-salary" => "WEEK",
        "per-day-wage" => "DAY",
        _ => null,
    };

    private static bool IsRemote(string? location) =>
        location?.Contains("remote", StringComparison.OrdinalIgnoreCase) == true;

    private static string? Description(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    /// <summary>Neither Lever nor Ashby says the company's name; the board token is the best we have (<c>acme-rockets</c> → Acme Rockets).</summary>
    private static string DisplayName(string token) =>
        CultureInfo.InvariantCulture.TextInfo.ToTitleCase(token.Replace('-', ' ').Replace('_', ' '));

    private static List<JsonElement> Array(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var array) ? Items(array) : [];

    private static List<JsonElement> Items(JsonElement array) =>
        array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray()] : [];

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    private static decimal? Number(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Number
            ? value.GetDecimal()
            : null;

    private static DateTimeOffset? Date(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
}
