namespace Peregrine.Jobs;

/// <summary>
/// The interview pipeline (upstream's <c>/move</c> statuses), in the order a job moves through it: each stage's status,
/// the words a page shows for it, and the column a move into it stamps. The job page's choices, the Interviews page's
/// columns and the move endpoint's rule all read this one list.
/// </summary>
public static class PipelineStages
{
    public const string Applied = JobStatuses.Applied;
    public const string Survey = "survey";
    public const string PhoneScreen = "phone_screen";
    public const string Interviewing = "interviewing";
    public const string Offer = "offer";
    public const string Hired = "hired";
    public const string Rejected = "interview_rejected";

    public static readonly IReadOnlyList<PipelineStage> All =
    [
        new(Applied, "Applied", "applied_at"),
        new(Survey, "Survey", "survey_at"),
        new(PhoneScreen, "Phone screen", "phone_screen_at"),
        new(Interviewing, "Interviewing", "interviewing_at"),
        new(Offer, "Offer", "offer_at"),
        new(Hired, "Hired", "hired_at"),
        // A rejection stamps where it happened (free text) rather than when.
        new(Rejected, "Rejected", "rejection_stage"),
    ];

    public static readonly IReadOnlyList<string> Statuses = [.. All.Select(s => s.Status)];

    public static PipelineStage? Find(string? status) => All.FirstOrDefault(s => s.Status == status);
}

/// <param name="StampColumn">A fixed column name of <c>jobs</c>, safe to put in SQL text.</param>
public sealed record PipelineStage(string Status, string Label, string StampColumn);
