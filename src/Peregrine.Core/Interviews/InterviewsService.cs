using System.Text.RegularExpressions;
using Dapper;
using Peregrine.Jobs;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Interviews;

/// <summary>The jobs in the interview pipeline, for <c>GET /api/interviews</c> and the Interviews page alike.</summary>
public sealed class InterviewsService(UserDatabases databases)
{
    /// <summary>Every job at a stage of <see cref="PipelineStages"/>, latest first, each with its unreviewed stage signals.</summary>
    public async Task<IReadOnlyList<PipelineJob>> ListAsync(UserContext user, CancellationToken cancellationToken)
    {
        const string jobsSql = """
            SELECT id, title, company, url, location, is_remote, salary, match_score, keyword_gaps, status, interview_date,
                   rejection_stage, applied_at, phone_screen_at, interviewing_at, offer_at, hired_at, survey_at
            FROM jobs WHERE status IN @stages
            ORDER BY coalesce(interview_date, applied_at, '') DESC, id DESC;
            """;
        const string signalsSql = """
            SELECT id, job_id, subject, received_at, stage_signal, body, from_addr
            FROM job_contacts
            WHERE job_id IN @ids AND stage_signal IS NOT NULL AND coalesce(suggestion_dismissed, 0) = 0
            ORDER BY received_at DESC;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var jobs = (await db.QueryAsync<PipelineJob>(new CommandDefinition(jobsSql, new { stages = PipelineStages.Statuses }, cancellationToken: cancellationToken))).ToList();
        var signals = (await db.QueryAsync<SignalRow>(new CommandDefinition(signalsSql, new { ids = jobs.Select(j => j.Id) }, cancellationToken: cancellationToken)))
            .ToLookup(s => s.JobId);
        return [.. jobs.Select(job => job with
        {
            StageSignals = [.. signals[job.Id].Select(s => new StageSignal(s.Id, s.Subject, s.ReceivedAt, s.StageSignal, StripHtml(s.Body), s.FromAddr))],
        })];
    }

    private static string? StripHtml(string? body) =>
        body is null ? null : Regex.Replace(body, "<[^>]*>", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1));

    private sealed record SignalRow(long Id, long JobId, string? Subject, string? ReceivedAt, string? StageSignal, string? Body, string? FromAddr);
}
