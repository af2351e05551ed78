using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Peregrine.Sessions;
using Peregrine.Storage;

namespace Peregrine.Interviews;

/// <summary><c>GET /api/interviews</c> (§6.4): the jobs in the interview pipeline, each with its unreviewed stage signals.</summary>
public static class InterviewsApi
{
    /// <summary>The pipeline's stages in the order a job moves through them (the Interviews page's columns).</summary>
    public static readonly IReadOnlyList<string> Stages = ["applied", "survey", "phone_screen", "interviewing", "offer", "hired", "interview_rejected"];

    public static RouteGroupBuilder MapInterviews(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/interviews").RequireUser().WithTags("Interviews");
        group.MapGet("", ListPipeline).WithName("ListInterviews");
        return group;
    }

    public static async Task<Ok<IReadOnlyList<PipelineJob>>> ListPipeline(UserContext user, UserDatabases databases, CancellationToken cancellationToken)
    {
        const string jobsSql = """
            SELECT id, title, company, url, location, is_remote, salary, match_score, keyword_gaps, status, interview_date,
                   rejection_stage, applied_at, phone_screen_at, interviewing_at, offer_at, hired_at, survey_at
            FROM jobs WHERE status IN @Stages
            ORDER BY coalesce(interview_date, applied_at, '') DESC, id DESC;
            """;
        const string signalsSql = """
            SELECT id, job_id, subject, received_at, stage_signal, body, from_addr
            FROM job_contacts
            WHERE job_id IN @ids AND stage_signal IS NOT NULL AND coalesce(suggestion_dismissed, 0) = 0
            ORDER BY received_at DESC;
            """;

        await using var db = await databases.OpenAsync(user.Database, cancellationToken);
        var jobs = (await db.QueryAsync<PipelineRow>(new CommandDefinition(jobsSql, new { Stages }, cancellationToken: cancellationToken))).ToList();
        var signals = (await db.QueryAsync<SignalRow>(new CommandDefinition(signalsSql, new { ids = jobs.Select(j => j.Id) }, cancellationToken: cancellationToken)))
            .ToLookup(s => s.JobId);
        return TypedResults.Ok<IReadOnlyList<PipelineJob>>([.. jobs.Select(j => j.With(
            [.. signals[j.Id].Select(s => new StageSignal(s.Id, s.Subject, s.ReceivedAt, s.StageSignal, StripHtml(s.Body), s.FromAddr))]))]);
    }

    private static string? StripHtml(string? body) =>
        body is null ? null : System.Text.RegularExpressions.Regex.Replace(body, "<[^>]*>", string.Empty, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));

    private sealed record SignalRow(long Id, long JobId, string? Subject, string? ReceivedAt, string? StageSignal, string? Body, string? FromAddr);

    private sealed record PipelineRow(
        long Id, string? Title, string? Company, string? Url, string? Location, bool IsRemote, string? Salary, double? MatchScore,
        string? KeywordGaps, string? Status, string? InterviewDate, string? RejectionStage, string? AppliedAt, string? PhoneScreenAt,
        string? InterviewingAt, string? OfferAt, string? HiredAt, string? SurveyAt)
    {
        public PipelineJob With(IReadOnlyList<StageSignal> signals) => new(
            Id, Title, Company, Url, Location, IsRemote, Salary, MatchScore, KeywordGaps, Status, InterviewDate, RejectionStage,
            AppliedAt, PhoneScreenAt, InterviewingAt, OfferAt, HiredAt, SurveyAt, signals);
    }
}

public sealed record PipelineJob(
    long Id, string? Title, string? Company, string? Url, string? Location, bool IsRemote, string? Salary, double? MatchScore,
    string? KeywordGaps, string? Status, string? InterviewDate, string? RejectionStage, string? AppliedAt, string? PhoneScreenAt,
    string? InterviewingAt, string? OfferAt, string? HiredAt, string? SurveyAt, IReadOnlyList<StageSignal> StageSignals);

public sealed record StageSignal(long Id, string? Subject, string? ReceivedAt, string? StageSignalLabel, string? Body, string? FromAddr);
