using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Peregrine.Fetching;
using Peregrine.Jobs;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Discovery;

/// <summary>
/// <c>discovery</c>: runs the owner's search profiles over the public boards they name. Each board is read once per run
/// (with no DB connection held), each listing filtered (<see cref="ListingFilter"/>), canonicalised and deduplicated
/// against the owner's jobs by URL and by (title, company), scored (<see cref="MatchScorer"/>) and inserted as a
/// <c>pending</c> job, all in one short write. Result: upstream's "N new listing(s) added". A board that cannot be read
/// is skipped, as upstream; a run where none could be read fails with the first reason.
/// </summary>
public sealed partial class DiscoveryHandler(JobBoards boards, TimeProvider time, ILogger<DiscoveryHandler> logger) : IBackgroundTaskHandler
{
    public string TaskType => TaskTypes.Discovery;

    public async Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        var config = run.User.ConfigDirectory;
        IReadOnlyList<SearchProfile> profiles;
        Blocklist blocklist;
        ResumeKeywords keywords;
        try
        {
            profiles = SearchProfiles.Load(config);
            blocklist = DiscoveryConfig.LoadBlocklist(config);
            keywords = DiscoveryConfig.LoadKeywords(config);
        }
        catch (SearchProfilesException e)
        {
            throw new TaskFailedException(e.Message);
        }

        if (profiles.Count == 0 || profiles.All(p => p.Boards.Count == 0))
        {
            throw new TaskFailedException("No job boards to search: add profiles with greenhouse:, lever: or ashby: boards to config/search_profiles.yaml");
        }

        var read = new Dictionary<BoardRef, IReadOnlyList<BoardListing>>();
        var failures = new List<string>();
        foreach (var board in profiles.SelectMany(p => p.Boards).Distinct())
        {
            await run.ReportStageAsync($"Reading {board}", cancellationToken);
            try
            {
                read[board] = await boards.ReadAsync(board, cancellationToken);
            }
            catch (FetchFailedException e)
            {
                LogBoardFailed(logger, board.ToString(), e.Message);
                failures.Add(e.Message);
            }
        }

        if (read.Count == 0)
        {
            throw new TaskFailedException($"No board could be read: {failures[0]}");
        }

        var now = time.GetUtcNow();
        var candidates = profiles
            .SelectMany(profile => profile.Boards.Where(read.ContainsKey).SelectMany(board =>
                read[board].Where(job => ListingFilter.Keeps(profile, blocklist, job, now)).Take(profile.ResultsPerBoard)))
            .ToList();
        await run.ReportStageAsync("Saving new listings", cancellationToken);
        var added = await run.WithDatabaseAsync(db => Insert(db, candidates, keywords), cancellationToken);
        return $"{added} new listing(s) added";
    }

    private int Insert(SqliteConnection db, List<BoardListing> candidates, ResumeKeywords keywords)
    {
        const string known = "SELECT lower(substr(coalesce(title, ''), 1, 80)) || char(31) || lower(coalesce(company, '')) FROM jobs;";
        const string insert = """
            INSERT INTO jobs (title, company, url, source, location, is_remote, salary, description,
                              match_score, keyword_gaps, date_found, status)
            VALUES (@Title, @Company, @url, @Source, @Location, @IsRemote, @Salary, @Description,
                    @score, @gaps, @today, 'pending')
            ON CONFLICT (url) DO NOTHING;
            """;

        using var transaction = db.BeginTransaction(deferred: false);
        var seen = db.Query<string>(known, transaction: transaction).ToHashSet(StringComparer.Ordinal);
        var today = Timestamps.Today(time);
        var added = 0;
        foreach (var job in candidates)
        {
            if (JobUrl.Canonicalize(job.Url) is not { } url || !seen.Add(TitleCompanyKey(job)))
            {
                continue;
            }

            var (score, gaps) = MatchScorer.Score(keywords, job.Title, job.Description);
            added += db.Execute(insert, new { job.Title, job.Company, url, job.Source, job.Location, job.IsRemote, job.Salary, job.Description, score, gaps, today }, transaction);
        }

        transaction.Commit();
        return added;
    }

    /// <summary>Upstream's second dedup key: the first 80 characters of the title and the company, lower-cased.</summary>
    private static string TitleCompanyKey(BoardListing job) =>
        $"{job.Title[..Math.Min(80, job.Title.Length)].ToLowerInvariant()}\u001f{job.Company.ToLowerInvariant()}";

    [LoggerMessage(LogLevel.Warning, "Discovery skipped board {Board}: {Reason}")]
    private static partial void LogBoardFailed(ILogger logger, string board, string reason);
}

/// <summary>Which listings a profile keeps: upstream's checks, in its order after the URL dedup.</summary>
public static class ListingFilter
{
    public static bool Keeps(SearchProfile profile, Blocklist blocklist, BoardListing job, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(job.Title) || string.IsNullOrWhiteSpace(job.Url) || blocklist.Blocks(job))
        {
            return false;
        }

        if (profile.ExcludeKeywords.Any(k => Mentions(job.Title, k) || Mentions(job.Description, k)))
        {
            return false;
        }

        if (profile.HoursOld > 0 && job.Posted is { } posted && posted < now.AddHours(-profile.HoursOld))
        {
            return false;
        }

        var titleWords = MatchScorer.Words(job.Title);
        if (!profile.Titles.Any(t => MatchScorer.Words(t).All(titleWords.Contains)))
        {
            return false;
        }

        return profile.RemotePreference switch
        {
            "remote" => job.IsRemote,
            "onsite" => !job.IsRemote && InLocations(profile, job),
            _ => job.IsRemote || InLocations(profile, job),
        };
    }

    private static bool InLocations(SearchProfile profile, BoardListing job) =>
        profile.Locations.Count == 0 || profile.Locations.Any(l => Mentions(job.Location, l));

    private static bool Mentions(string? text, string part) => text?.Contains(part, StringComparison.OrdinalIgnoreCase) == true;
}
