using Peregrine.Discovery;
using Peregrine.Tasks;

namespace Peregrine.Matching;

/// <summary>
/// <c>score_jobs</c> (upstream's "Score All"): every job re-scored against the résumé's skills, domains and keywords.
/// Queued by the résumé's save and upload, the Home page and <c>POST /api/tasks/score</c>. Result "N job(s) scored".
/// </summary>
public sealed class ScoreJobsHandler : IBackgroundTaskHandler
{
    public string TaskType => TaskTypes.ScoreJobs;

    public async Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        ResumeKeywords keywords;
        try
        {
            keywords = DiscoveryConfig.LoadKeywords(run.User.ConfigDirectory);
        }
        catch (SearchProfilesException e)
        {
            throw new TaskFailedException($"Your skills and keywords could not be read ({e.Message}). Save them again on the Résumé page.");
        }

        await run.ReportStageAsync("Scoring your jobs", cancellationToken);
        var scored = await run.WithDatabaseAsync(db => JobScores.RescoreAll(db, keywords), cancellationToken);
        return keywords == ResumeKeywords.None || keywords.Skills.Count + keywords.Domains.Count + keywords.Keywords.Count == 0
            ? $"{scored} job(s) left unscored: add skills or keywords to your résumé"
            : $"{scored} job(s) scored";
    }
}
