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

    /// <summary>The Interviews board's columns, in order; a survey stage shows only when a job is at it.</summary>
    public static readonly IReadOnlyList<string> BoardColumns = [Applied, PhoneScreen, Interviewing, Offer, Hired, Rejected];

    /// <summary>The stages that are a conversation with the company: a move into one asks when it is.</summary>
    public static bool TakesInterviewDate(string? status) => status is PhoneScreen or Interviewing;

    /// <summary>Stages a job is in, as opposed to review statuses (<c>pending</c>, <c>approved</c>, <c>synced</c>…).</summary>
    public static bool IsInPipeline(string? status) => Find(status) is not null;

    /// <summary>
    /// Where a page offers to move a job from its real state: forward along the pipeline, back one step (to correct a
    /// slip), and out (rejected) while the process is open; from rejected, back to any open stage. A job that has not
    /// been applied for has no pipeline moves: applying is its next step. The move endpoint itself keeps upstream's rule
    /// (any pipeline stage), so scripts and the SPA are not limited by what a page offers.
    /// </summary>
    public static IReadOnlyList<PipelineStage> MovesFrom(string? status)
    {
        var index = IndexOf(status);
        if (index < 0)
        {
            return [];
        }

        if (status == Rejected)
        {
            return [.. All.Where(s => s.Status is not (Rejected or Hired))];
        }

        return [.. All.Where((stage, i) => i != index && (i > index || i == PreviousOpen(index)) && !(status == Hired && stage.Status == Rejected))];
    }

    private static int IndexOf(string? status) => All.ToList().FindIndex(s => s.Status == status);

    /// <summary>The stage before <paramref name="index"/>, skipping the survey (a detour, not a step everyone takes).</summary>
    private static int PreviousOpen(int index)
    {
        for (var i = index - 1; i >= 0; i--)
        {
            if (All[i].Status != Survey)
            {
                return i;
            }
        }

        return -1;
    }
}

/// <param name="StampColumn">A fixed column name of <c>jobs</c>, safe to put in SQL text.</param>
public sealed record PipelineStage(string Status, string Label, string StampColumn);
