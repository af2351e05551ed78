namespace Peregrine.Jobs;

/// <summary>The statuses of upstream's job lifecycle that the API accepts as input.</summary>
public static class JobStatuses
{
    public const string Pending = "pending";
    public const string Approved = "approved";
    public const string Rejected = "rejected";
    public const string Applied = "applied";
    public const string Synced = "synced";

    /// <summary>What <c>/revert</c> may set.</summary>
    public static readonly IReadOnlySet<string> Revertible = new HashSet<string>(StringComparer.Ordinal)
    {
        Pending, Approved, Rejected, Applied, Synced,
    };

    /// <summary>Kept by the non-remote purge: jobs the user is actively pursuing.</summary>
    public static readonly IReadOnlyList<string> KeptByNonRemotePurge =
        [Applied, PipelineStages.PhoneScreen, PipelineStages.Interviewing, PipelineStages.Offer, PipelineStages.Hired, Synced];

    /// <summary>A status as a page names it: a pipeline stage's label, else the status capitalised ("Pending").</summary>
    public static string Label(string? status) =>
        PipelineStages.Find(status)?.Label ?? (string.IsNullOrEmpty(status) ? "Unknown" : char.ToUpperInvariant(status[0]) + status[1..]);
}

/// <summary>A row of <c>GET /api/jobs</c> (upstream's list shape: no cover letter text, only whether there is one).</summary>
public sealed record JobSummary(
    long Id,
    string? Title,
    string? Company,
    string? Url,
    string? Source,
    string? Location,
    bool IsRemote,
    string? Salary,
    string? Description,
    double? MatchScore,
    string? KeywordGaps,
    string? DateFound,
    string? Status,
    bool HasCoverLetter);

/// <summary><c>GET /api/jobs/{id}</c>: the list fields plus the cover letter.</summary>
public sealed record JobDetail(
    long Id,
    string? Title,
    string? Company,
    string? Url,
    string? Source,
    string? Location,
    bool IsRemote,
    string? Salary,
    string? Description,
    double? MatchScore,
    string? KeywordGaps,
    string? DateFound,
    string? Status,
    bool HasCoverLetter,
    string? CoverLetter);

public sealed record JobCounts(long Pending, long Approved, long Applied, long Synced, long Rejected, long Total);

public sealed record NewJob(
    string? Title,
    string? Company,
    string? Url,
    string? Source,
    string? Location,
    bool? IsRemote,
    string? Salary,
    string? Description,
    string? DateFound);

public sealed record CreatedJob(long Id);

public sealed record StatusChange(string? Status);

public sealed record PipelineMove(string? Status, string? InterviewDate, string? RejectionStage);

public sealed record StatusSelection(IReadOnlyList<string>? Statuses);

public sealed record PurgeRequest(IReadOnlyList<string>? Statuses, string? Target);

public sealed record UrlImport(IReadOnlyList<string>? Urls);

public sealed record CoverLetterText(string? Text);

public sealed record ArchivedResponse(long Archived);

public sealed record DeletedResponse(bool Ok, long Deleted);

public sealed record EmailPurgedResponse(bool Ok, long Contacts, long Jobs);

public sealed record QueuedResponse(long Queued);

public sealed record CsvQueuedResponse(long Queued, long Total);
