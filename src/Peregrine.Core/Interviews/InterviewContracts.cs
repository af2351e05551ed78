namespace Peregrine.Interviews;

/// <summary>A row of <c>GET /api/interviews</c>: upstream's pipeline columns, then the job's stage signals.</summary>
public sealed record PipelineJob(
    long Id, string? Title, string? Company, string? Url, string? Location, bool IsRemote, string? Salary, double? MatchScore,
    string? KeywordGaps, string? Status, string? InterviewDate, string? RejectionStage, string? AppliedAt, string? PhoneScreenAt,
    string? InterviewingAt, string? OfferAt, string? HiredAt, string? SurveyAt)
{
    public IReadOnlyList<StageSignal> StageSignals { get; init; } = [];
}

public sealed record StageSignal(long Id, string? Subject, string? ReceivedAt, string? StageSignalLabel, string? Body, string? FromAddr);
