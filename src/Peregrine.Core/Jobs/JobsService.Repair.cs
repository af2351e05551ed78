using Dapper;
using Peregrine.Errors;
using Peregrine.Matching;
using Peregrine.Sessions;
using Peregrine.Settings;
using Peregrine.Tasks;

namespace Peregrine.Jobs;

/// <summary>Repairing a job whose listing could not be fetched: fetch it again, or fill in its details by hand.</summary>
public sealed partial class JobsService
{
    public const int MaxDescriptionChars = 100_000;

    /// <summary>
    /// Saves the details a person typed or pasted (fields left null are kept), clears the fetch problem (the details
    /// are now the user's) and scores the job on its new text.
    /// </summary>
    public async Task<Refusal?> UpdateDetailsAsync(UserContext user, long id, JobDetailsEdit edit, CancellationToken cancellationToken)
    {
        const string sql = """
            UPDATE jobs SET
                title = coalesce(@title, title),
                company = coalesce(@company, company),
                location = coalesce(@location, location),
                description = coalesce(@description, description),
                fetch_error = NULL
            WHERE id = @id;
            """;

        var title = edit.Title is null ? null : ProfileSettings.Clean(edit.Title);
        if (title is { Length: 0 })
        {
            return Refusal.BadRequest("Give the job a title.");
        }

        if (new[] { title, edit.Company, edit.Location }.Any(t => t?.Length > ProfileSettings.MaxShortText) || edit.Description?.Length > MaxDescriptionChars)
        {
            return Refusal.BadRequest($"Title, company and location are at most {ProfileSettings.MaxShortText} characters; the description at most {MaxDescriptionChars:N0}.");
        }

        var keywords = JobScores.KeywordsOrNone(user.ConfigDirectory);
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        using var transaction = db.BeginTransaction(deferred: false);
        var parameters = new
        {
            id,
            title,
            company = edit.Company is null ? null : ProfileSettings.Clean(edit.Company),
            location = edit.Location is null ? null : ProfileSettings.Clean(edit.Location),
            description = edit.Description is null ? null : ProfileSettings.Clean(edit.Description),
        };
        if (await db.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken)) == 0)
        {
            return JobNotFound;
        }

        JobScores.Rescore(db, keywords, id, transaction);
        transaction.Commit();
        return null;
    }

    /// <summary>Queues the job's listing to be fetched again (an equal fetch already queued or running is reused).</summary>
    public async Task<Outcome<TaskSubmission>> RetryFetchAsync(UserContext user, long id, CancellationToken cancellationToken)
    {
        const string sql = "SELECT url FROM jobs WHERE id = @id;";

        return await wakeup.EnqueueAsync<Outcome<TaskSubmission>>(databases, user, async db =>
        {
            var url = await db.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(sql, new { id }, cancellationToken: cancellationToken));
            if (url is null)
            {
                return JobNotFound;
            }

            return JobUrl.Canonicalize(url) is null
                ? Refusal.BadRequest("This job has no web address to fetch. Fill in its details instead.")
                : BackgroundTasks.Submit(db, TaskTypes.ScrapeUrl, id, parameters: null, time);
        }, cancellationToken);
    }
}
