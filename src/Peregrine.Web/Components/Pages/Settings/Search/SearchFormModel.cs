using Peregrine.Settings;

namespace Peregrine.Web.Components.Pages.Settings.Search;

/// <summary>The search form as posted: lists as one entry per line, boards as ticked checkboxes plus one to add.</summary>
public sealed class SearchFormModel
{
    public string? Titles { get; set; }

    public string? Locations { get; set; }

    public string? Remote { get; set; }

    public string? Exclude { get; set; }

    /// <summary>The ticked boards; a post with none ticked binds null, which is read as none.</summary>
    public List<string> Boards { get; set => field = value ?? []; } = [];

    public string? NewBoardKind { get; set; }

    public string? NewBoardCompany { get; set; }

    public int ResultsPerBoard { get; set; } = SearchSettings.DefaultResultsPerBoard;

    public int HoursOld { get; set; } = SearchSettings.DefaultHoursOld;

    public string? BlockedCompanies { get; set; }

    public string? BlockedIndustries { get; set; }

    public string? BlockedLocations { get; set; }

    public static SearchFormModel From(SearchPreferences search) => new()
    {
        Titles = Lines(search.JobTitles),
        Locations = Lines(search.Locations),
        Remote = search.RemotePreference ?? "both",
        Exclude = Lines(search.ExcludeKeywords),
        Boards = [.. (search.JobBoards ?? []).Select(b => b.Name ?? string.Empty).Where(b => b.Length > 0)],
        ResultsPerBoard = search.ResultsPerBoard ?? SearchSettings.DefaultResultsPerBoard,
        HoursOld = search.HoursOld ?? SearchSettings.DefaultHoursOld,
        BlockedCompanies = Lines(search.BlocklistCompanies),
        BlockedIndustries = Lines(search.BlocklistIndustries),
        BlockedLocations = Lines(search.BlocklistLocations),
    };

    /// <summary>The preferences to save, or the problem with the board being added (in words).</summary>
    public (SearchPreferences Search, string? Problem) ToPreferences()
    {
        var boards = Boards.ToList();
        string? problem = null;
        if (!string.IsNullOrWhiteSpace(NewBoardCompany))
        {
            if (SearchBoards.FromParts(NewBoardKind, NewBoardCompany) is { } added)
            {
                boards.Add(added);
            }
            else
            {
                problem = $"“{NewBoardCompany.Trim()}” is not a company name as a board writes it: use the word from its board's address (letters, digits and dashes), or paste the address.";
            }
        }

        return (new SearchPreferences(
            Remote,
            Split(Titles),
            Split(Locations),
            Split(Exclude),
            [.. boards.Select(b => new BoardChoice(b, true))],
            CustomBoardUrls: null,
            ResultsPerBoard,
            HoursOld,
            Split(BlockedCompanies),
            Split(BlockedIndustries),
            Split(BlockedLocations)), problem);
    }

    private static string Lines(IReadOnlyList<string>? items) => string.Join('\n', items ?? []);

    private static List<string> Split(string? text) =>
        [.. ProfileSettings.Clean(text).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
}
