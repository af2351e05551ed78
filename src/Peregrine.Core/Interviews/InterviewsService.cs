using System.Text.RegularExpressions;
using Dapper;
using Peregrine.Errors;
using Peregrine.Jobs;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Interviews;

/// <summary>The jobs in the interview pipeline, for <c>GET /api/interviews</c> and the Interviews page alike.</summary>
public sealed class InterviewsService(UserDatabases databases, TimeProvider time)
{
    public const int MaxNotesChars = 50_000;

    /// <summary>
    /// Every job at a stage of <see cref="PipelineStages"/>, latest first, each with its unreviewed stage signals (upstream
    /// leaves out dismissed ones and the labels that say nothing about the stage: neutral, unrelated, digest, rescheduled).
    /// </summary>
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
              AND stage_signal NOT IN ('neutral', 'unrelated', 'digest', 'event_rescheduled')
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

    /// <summary>What the prep page shows of a job (research comes from its own, gated, service); null when not this user's.</summary>
    public async Task<InterviewPrep?> PrepAsync(UserContext user, long jobId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT j.id AS job_id, j.title, j.company, j.url, j.location, j.status, j.description, j.cover_letter,
                   j.interview_date, j.applied_at, n.notes, n.updated_at AS notes_updated_at
            FROM jobs j LEFT JOIN interview_notes n ON n.job_id = j.id
            WHERE j.id = @jobId;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.QuerySingleOrDefaultAsync<InterviewPrep>(new CommandDefinition(sql, new { jobId }, cancellationToken: cancellationToken));
    }

    public async Task<Outcome<InterviewNotes>> NotesAsync(UserContext user, long jobId, CancellationToken cancellationToken)
    {
        const string sql = """
            SELECT j.id AS job_id, coalesce(n.notes, '') AS notes, n.updated_at
            FROM jobs j LEFT JOIN interview_notes n ON n.job_id = j.id WHERE j.id = @jobId;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        return await db.QuerySingleOrDefaultAsync<InterviewNotes>(new CommandDefinition(sql, new { jobId }, cancellationToken: cancellationToken)) is { } notes
            ? notes
            : Refusal.NotFound("Job not found");
    }

    /// <summary>Replaces the job's call notes (empty text removes them).</summary>
    public async Task<Outcome<InterviewNotes>> SaveNotesAsync(UserContext user, long jobId, string? notes, CancellationToken cancellationToken)
    {
        const string upsert = """
            INSERT INTO interview_notes (job_id, notes, updated_at)
            SELECT id, @notes, @now FROM jobs WHERE id = @jobId
            ON CONFLICT (job_id) DO UPDATE SET notes = excluded.notes, updated_at = excluded.updated_at;
            """;
        const string delete = "DELETE FROM interview_notes WHERE job_id = @jobId;";
        const string exists = "SELECT count(*) FROM jobs WHERE id = @jobId;";

        if (notes?.Length > MaxNotesChars)
        {
            return Refusal.BadRequest($"Notes are at most {MaxNotesChars:N0} characters.");
        }

        var text = notes?.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() ?? string.Empty;
        var now = Timestamps.Now(time);
        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        if (await db.ExecuteScalarAsync<long>(new CommandDefinition(exists, new { jobId }, cancellationToken: cancellationToken)) == 0)
        {
            return Refusal.NotFound("Job not found");
        }

        await db.ExecuteAsync(new CommandDefinition(text.Length == 0 ? delete : upsert, new { jobId, notes = text, now }, cancellationToken: cancellationToken));
        return new InterviewNotes(jobId, text, text.Length == 0 ? null : now);
    }

    private static string? StripHtml(string? body) =>
        body is null ? null : Regex.Replace(body, "<[^>]*>", string.Empty, RegexOptions.None, TimeSpan.FromSeconds(1));

    private sealed record SignalRow(long Id, long JobId, string? Subject, string? ReceivedAt, string? StageSignal, string? Body, string? FromAddr);
}
