using Dapper;
using Microsoft.Data.Sqlite;
using Peregrine.Discovery;

namespace Peregrine.Matching;

/// <summary>
/// Writes match scores into the user's jobs, so that every way a job arrives or changes (discovery, a URL, a CSV row, a
/// hand edit, a fetched description) leaves it scored against the résumé as it is now, and the <c>score_jobs</c> task
/// can re-score them all after the résumé changed.
/// </summary>
public static class JobScores
{
    private const string Update = "UPDATE jobs SET match_score = @Score, keyword_gaps = @Gaps, matched_keywords = @Matched WHERE id = @id;";

    /// <summary>
    /// The résumé's terms from a config directory; none when the file cannot be read, so that a hand-broken file leaves
    /// new jobs unscored rather than failing their import (the score task reports the file's problem instead).
    /// </summary>
    public static ResumeKeywords KeywordsOrNone(string configDirectory)
    {
        try
        {
            return DiscoveryConfig.LoadKeywords(configDirectory);
        }
        catch (SearchProfilesException)
        {
            return ResumeKeywords.None;
        }
    }

    /// <summary>Re-scores one job from its stored title and description.</summary>
    public static int Rescore(SqliteConnection db, ResumeKeywords keywords, long jobId, SqliteTransaction? transaction = null)
    {
        const string read = "SELECT title, description FROM jobs WHERE id = @jobId;";

        var job = db.QuerySingleOrDefault<(string? Title, string? Description)?>(read, new { jobId }, transaction);
        return job is { } found ? Write(db, keywords, jobId, found.Title, found.Description, transaction) : 0;
    }

    public static int Write(SqliteConnection db, ResumeKeywords keywords, long id, string? title, string? description, SqliteTransaction? transaction = null)
    {
        var result = MatchScorer.Score(keywords, title, description);
        return db.Execute(Update, new { id, result.Score, result.Gaps, result.Matched }, transaction);
    }

    /// <summary>Every job of the user, in one transaction; how many were scored.</summary>
    public static int RescoreAll(SqliteConnection db, ResumeKeywords keywords)
    {
        const string all = "SELECT id, title, description FROM jobs;";

        using var transaction = db.BeginTransaction(deferred: false);
        var scored = 0;
        foreach (var (id, title, description) in db.Query<(long, string?, string?)>(all, transaction: transaction).ToList())
        {
            scored += Write(db, keywords, id, title, description, transaction);
        }

        transaction.Commit();
        return scored;
    }
}
