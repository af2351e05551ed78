using System.Text.Json.Serialization;

namespace Peregrine.Interviews;

/// <summary>A row of <c>GET /api/interviews</c>: upstream's pipeline columns, then the job's stage signals.</summary>
public sealed record PipelineJob(
    long Id, string? Title, string? Company, string? Url, string? Location, bool IsRemote, string? Salary, double? MatchScore,
    string? KeywordGaps, string? Status, string? InterviewDate, string? RejectionStage, string? AppliedAt, string? PhoneScreenAt,
    string? InterviewingAt, string? OfferAt, string? HiredAt, string? SurveyAt)
{
    public IReadOnlyList<StageSignal> StageSignals { get; init; } = [];
}

/// <summary>An e-mail's stage signal; upstream names the label <c>stage_signal</c>, which a member of this type cannot be called.</summary>
public sealed record StageSignal(
    long Id, string? Subject, string? ReceivedAt, [property: JsonPropertyName("stage_signal")] string? Label, string? Body, string? FromAddr);

/// <summary>The prep page's view of one job: what to read before the call, and the notes taken during it.</summary>
public sealed record InterviewPrep(
    long JobId, string? Title, string? Company, string? Url, string? Location, string? Status, string? Description,
    string? CoverLetter, string? InterviewDate, string? AppliedAt, string? Notes, string? NotesUpdatedAt);

/// <summary><c>GET/PUT /api/jobs/{id}/notes</c>: the job's call notes.</summary>
public sealed record InterviewNotes(long JobId, string Notes, string? UpdatedAt);

public sealed record NotesText(string? Notes);
