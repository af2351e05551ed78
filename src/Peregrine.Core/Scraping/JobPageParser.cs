using System.Globalization;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;

namespace Peregrine.Scraping;

/// <summary>
/// Reads a job out of a page, from the most to the least precise source: schema.org <c>JobPosting</c> JSON-LD, then
/// OpenGraph and meta tags, then the page title. Each field comes from the first source that has it.
/// </summary>
public static class JobPageParser
{
    public static ScrapedJob Parse(string html)
    {
        var document = new HtmlParser().ParseDocument(html);
        return FromJsonLd(document).Or(FromMeta(document)).Or(FromTitle(document));
    }

    private static ScrapedJob FromJsonLd(IHtmlDocument document)
    {
        foreach (var script in document.QuerySelectorAll("script[type='application/ld+json']"))
        {
            try
            {
                using var json = JsonDocument.Parse(script.TextContent, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
                if (FindPosting(json.RootElement) is { } posting)
                {
                    return FromPosting(posting);
                }
            }
            catch (JsonException)
            {
                // A broken block is skipped; the next block or the meta tags may still describe the job.
            }
        }

        return ScrapedJob.Empty;
    }

    private static JsonElement? FindPosting(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindPosting(item) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Object when IsJobPosting(element):
                return element;
            case JsonValueKind.Object when element.TryGetProperty("@graph", out var graph):
                return FindPosting(graph);
            default:
                return null;
        }
    }

    private static bool IsJobPosting(JsonElement element) =>
        element.TryGetProperty("@type", out var type) && (type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Any(t => IsJobPostingType(t.GetString()))
            : IsJobPostingType(type.ValueKind == JsonValueKind.String ? type.GetString() : null));

    private static bool IsJobPostingType(string? type) =>
        type is not null && (type == "JobPosting" || type.EndsWith("/JobPosting", StringComparison.Ordinal) || type == "schema:JobPosting");

    private static ScrapedJob FromPosting(JsonElement posting)
    {
        var remote = Text(posting, "jobLocationType")?.Contains("TELECOMMUTE", StringComparison.OrdinalIgnoreCase) == true;
        var location = Location(posting);
        var description = HtmlText.ToText(Text(posting, "description"));
        return new ScrapedJob(
            Clean(Text(posting, "title")),
            Clean(Organisation(posting)),
            location ?? (remote ? "Remote" : null),
            remote || MentionsRemote(location) ? true : null,
            Salary(posting),
            description.Length > 0 ? description : null);
    }

    private static string? Organisation(JsonElement posting) =>
        posting.TryGetProperty("hiringOrganization", out var organisation)
            ? organisation.ValueKind == JsonValueKind.String ? organisation.GetString() : Text(First(organisation), "name")
            : null;

    private static string? Location(JsonElement posting)
    {
        if (!posting.TryGetProperty("jobLocation", out var locations))
        {
            return null;
        }

        var places = (locations.ValueKind == JsonValueKind.Array ? locations.EnumerateArray().ToList() : [locations])
            .Select(PlaceText)
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        return places.Count > 0 ? string.Join("; ", places) : null;
    }

    private static string? PlaceText(JsonElement place)
    {
        if (place.ValueKind == JsonValueKind.String)
        {
            return place.GetString();
        }

        if (!place.TryGetProperty("address", out var address))
        {
            return Text(place, "name");
        }

        if (address.ValueKind == JsonValueKind.String)
        {
            return address.GetString();
        }

        var country = address.TryGetProperty("addressCountry", out var c) && c.ValueKind == JsonValueKind.Object ? Text(c, "name") : Text(address, "addressCountry");
        var parts = new[] { Text(address, "addressLocality"), Text(address, "addressRegion"), country }
            .Where(p => !string.IsNullOrWhiteSpace(p))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        return string.Join(", ", parts);
    }

    private static string? Salary(JsonElement posting)
    {
        if (!posting.TryGetProperty("baseSalary", out var salary) || salary.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var currency = Text(salary, "currency");
        if (!salary.TryGetProperty("value", out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            var exact = Number(value, "value");
            return SalaryText.Format(currency, Number(value, "minValue") ?? exact, Number(value, "maxValue") ?? exact, Text(value, "unitText"));
        }

        var amount = Number(salary, "value");
        return SalaryText.Format(currency, amount, amount, null);
    }

    private static ScrapedJob FromMeta(IHtmlDocument document)
    {
        string? Meta(string key) => Clean(
            document.QuerySelector($"meta[property='{key}']")?.GetAttribute("content")
            ?? document.QuerySelector($"meta[name='{key}']")?.GetAttribute("content"));

        var title = Meta("og:title") ?? Meta("twitter:title");
        var description = Meta("og:description") ?? Meta("description") ?? Meta("twitter:description");
        return new ScrapedJob(title, Meta("og:site_name"), null, MentionsRemote(title) ? true : null, null, description);
    }

    private static ScrapedJob FromTitle(IHtmlDocument document)
    {
        var title = Clean(document.Title);
        return new ScrapedJob(title, null, null, MentionsRemote(title) ? true : null, null, null);
    }

    private static bool MentionsRemote(string? text) =>
        text is not null && text.Split([' ', ',', '(', ')', '-', '/', '|', ';'], StringSplitOptions.RemoveEmptyEntries)
            .Any(word => word.Equals("remote", StringComparison.OrdinalIgnoreCase));

    private static JsonElement First(JsonElement element) =>
        element.ValueKind == JsonValueKind.Array ? element.EnumerateArray().FirstOrDefault() : element;

    private static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                JsonValueKind.Array => string.Join(", ", value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString())),
                _ => null,
            }
            : null;

    private static decimal? Number(JsonElement element, string property) =>
        decimal.TryParse(Text(element, property), NumberStyles.Number, CultureInfo.InvariantCulture, out var number) ? number : null;

    private static string? Clean(string? text)
    {
        var cleaned = HtmlText.ToText(text);
        return cleaned.Length > 0 ? cleaned.Replace('\n', ' ') : null;
    }
}
