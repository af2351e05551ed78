using Peregrine.Discovery;

namespace Peregrine.Settings;

/// <summary>
/// The job boards discovery reads, in a job seeker's words. Many companies publish their openings through Greenhouse,
/// Lever or Ashby; the address of their careers page names both the service and the company's name on it, so a
/// pasted careers link is accepted wherever a board is (<c>https://jobs.lever.co/globex/…</c> → <c>lever:globex</c>).
/// </summary>
public static class SearchBoards
{
    public sealed record Kind(string Name, string Label, string ExampleAddress);

    public static readonly IReadOnlyList<Kind> Kinds =
    [
        new("greenhouse", "Greenhouse", "boards.greenhouse.io/acme"),
        new("lever", "Lever", "jobs.lever.co/acme"),
        new("ashby", "Ashby", "jobs.ashbyhq.com/acme"),
    ];

    /// <summary><c>kind:token</c> for a careers address or a typed board; the text itself when it is neither.</summary>
    public static string Normalise(string entry)
    {
        var text = entry.Trim();
        return FromAddress(text) ?? (SearchProfiles.ParseBoard(text) is { } board ? board.ToString() : text);
    }

    /// <summary>A board from a kind and the company's name on it, as the page's two fields give them; null when either is unusable.</summary>
    public static string? FromParts(string? kind, string? company)
    {
        var name = (company ?? string.Empty).Trim();
        if (FromAddress(name) is { } fromAddress)
        {
            return fromAddress;
        }

        return SearchProfiles.ParseBoard($"{kind}:{name}")?.ToString();
    }

    /// <summary>"Acme (Greenhouse)": how a board reads on the page.</summary>
    public static string Label(string board)
    {
        if (SearchProfiles.ParseBoard(board) is not { } parsed)
        {
            return board;
        }

        var company = System.Globalization.CultureInfo.InvariantCulture.TextInfo.ToTitleCase(parsed.Token.Replace('-', ' ').Replace('_', ' '));
        return $"{company} ({Kinds.First(k => k.Name == parsed.Kind).Label})";
    }

    private static string? FromAddress(string text)
    {
        if (!Uri.TryCreate(text.Contains("://", StringComparison.Ordinal) ? text : "https://" + text, UriKind.Absolute, out var address)
            || !text.Contains('/', StringComparison.Ordinal))
        {
            return null;
        }

        var segments = address.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kind = address.Host.ToLowerInvariant() switch
        {
            "boards.greenhouse.io" or "job-boards.greenhouse.io" or "job-boards.eu.greenhouse.io" => "greenhouse",
            "boards-api.greenhouse.io" when segments is ["v1", "boards", _, ..] => "greenhouse-api",
            "jobs.lever.co" or "jobs.eu.lever.co" => "lever",
            "jobs.ashbyhq.com" => "ashby",
            _ => null,
        };
        var token = kind == "greenhouse-api" ? segments[2] : segments.FirstOrDefault();
        return kind is null || token is null ? null : SearchProfiles.ParseBoard($"{kind.Replace("-api", string.Empty, StringComparison.Ordinal)}:{token}")?.ToString();
    }
}
