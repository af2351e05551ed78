using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Demo.Seed;

/// <summary>
/// Loads the seed's rows into a freshly migrated DB: the jobs (<c>demo-jobs.json</c>), then their cover letters, the
/// interview pipeline, company research, e-mails with stage signals and finished tasks (<c>demo-activity.json</c>).
/// Rows refer to jobs by URL, so the files stay readable and ids stay the DB's business. Every task is completed: a
/// visitor's first screen shows what Peregrine did, never a failure, a cancellation or work that nothing would run.
/// Dates are written as of the file's <c>today</c>; each sandbox moves them to its own today (<see cref="SeedDates"/>).
/// </summary>
internal static class SeedLoader
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static int Load(SqliteConnection db)
    {
        const string insertJob = """
            INSERT INTO jobs (title, company, url, source, location, is_remote, salary, description,
                              match_score, keyword_gaps, date_found, status)
            VALUES (@Title, @Company, @Url, @Source, @Location, @IsRemote, @Salary, @Description,
                    @MatchScore, @KeywordGaps, @DateFound, @Status);
            """;
        const string coverLetter = "UPDATE jobs SET cover_letter = @Text WHERE url = @Url;";
        const string pipeline = """
            UPDATE jobs SET status = coalesce(@Status, status), applied_at = @AppliedAt, phone_screen_at = @PhoneScreenAt,
                            interviewing_at = @InterviewingAt, offer_at = @OfferAt, interview_date = @InterviewDate,
                            rejection_stage = @RejectionStage
            WHERE url = @Url;
            """;
        const string insertResearch = """
            INSERT INTO company_research (job_id, generated_at, company_brief, ceo_brief, talking_points, raw_output, tech_brief,
                                          funding_brief, competitors_brief, red_flags, scrape_used, accessibility_brief)
            SELECT id, @GeneratedAt, @CompanyBrief, @CeoBrief, @TalkingPoints, NULL, @TechBrief, @FundingBrief,
                   @CompetitorsBrief, @RedFlags, 0, @AccessibilityBrief
            FROM jobs WHERE url = @Url;
            """;
        const string insertContact = """
            INSERT INTO job_contacts (job_id, direction, subject, from_addr, to_addr, body, received_at, stage_signal)
            SELECT id, @Direction, @Subject, @FromAddr, @ToAddr, @Body, @ReceivedAt, @StageSignal FROM jobs WHERE url = @Url;
            """;
        const string insertTask = """
            INSERT INTO background_tasks (task_type, job_id, status, stage, error, created_at, started_at, finished_at, updated_at)
            VALUES (@TaskType, coalesce((SELECT id FROM jobs WHERE url = @Url), 0), @Status, @Stage, @Error,
                    @CreatedAt, @StartedAt, @FinishedAt, coalesce(@FinishedAt, @StartedAt, @CreatedAt));
            """;

        var jobs = Deserialize<List<SeedJob>>(SeedFiles.Jobs);
        var activity = Deserialize<SeedActivity>(SeedFiles.Activity);
        using var transaction = db.BeginTransaction();
        var inserted = db.Execute(insertJob, jobs, transaction);
        Expect(db.Execute(coverLetter, activity.CoverLetters, transaction), activity.CoverLetters.Count, "cover letter");
        Expect(db.Execute(pipeline, activity.Pipeline, transaction), activity.Pipeline.Count, "pipeline entry");
        Expect(db.Execute(insertResearch, activity.Research, transaction), activity.Research.Count, "research brief");
        Expect(db.Execute(insertContact, activity.Contacts, transaction), activity.Contacts.Count, "contact");
        db.Execute(insertTask, activity.Tasks, transaction);
        transaction.Commit();
        return inserted;
    }

    private static T Deserialize<T>(string name)
    {
        using var stream = SeedFiles.Open(name);
        return JsonSerializer.Deserialize<T>(stream, Json) ?? throw new InvalidDataException($"seed file {name} is empty");
    }

    /// <summary>A row naming a URL no seed job has is a broken seed: fail the build of the template, not a visitor.</summary>
    private static void Expect(int affected, int expected, string what)
    {
        if (affected != expected)
        {
            throw new InvalidDataException($"the seed names a job URL that no seed job has ({what}: {affected} of {expected} matched)");
        }
    }

    private sealed record SeedJob(
        string Title, string Company, string Url, string Source, string Location, bool IsRemote, string Salary,
        string Description, double MatchScore, string KeywordGaps, string DateFound, string Status);

    /// <summary>The day the seed's dates are written as of (see <see cref="SeedDates"/>).</summary>
    public static DateOnly Today() => DateOnly.ParseExact(Deserialize<SeedActivity>(SeedFiles.Activity).Today, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private sealed record SeedActivity(
        string Today, List<SeedCoverLetter> CoverLetters, List<SeedPipeline> Pipeline, List<SeedResearch> Research,
        List<SeedContact> Contacts, List<SeedTask> Tasks);

    private sealed record SeedResearch(
        string Url, string GeneratedAt, string CompanyBrief, string CeoBrief, string TalkingPoints, string TechBrief,
        string FundingBrief, string CompetitorsBrief, string RedFlags, string AccessibilityBrief);

    private sealed record SeedCoverLetter(string Url, string Text);

    private sealed record SeedPipeline(
        string Url, string? Status, string? AppliedAt, string? PhoneScreenAt, string? InterviewingAt, string? OfferAt, string? InterviewDate,
        string? RejectionStage);

    private sealed record SeedContact(
        string Url, string Direction, string Subject, string FromAddr, string ToAddr, string Body, string ReceivedAt, string? StageSignal);

    private sealed record SeedTask(
        string TaskType, string? Url, string Status, string? Stage, string? Error, string CreatedAt, string? StartedAt, string? FinishedAt);
}
