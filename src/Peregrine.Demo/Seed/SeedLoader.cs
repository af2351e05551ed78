using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;

namespace Peregrine.Demo.Seed;

/// <summary>
/// Loads the seed's rows into a freshly migrated DB: the jobs (<c>demo-jobs.json</c>), then their cover letters, the
/// interview pipeline, e-mails with stage signals and tasks in each finished state plus a queued one
/// (<c>demo-activity.json</c>). Rows refer to jobs by URL, so the files stay readable and ids stay the DB's business.
/// No task is seeded <c>running</c>: nothing would run it, and the first open of a copy fails it as interrupted.
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
                            interviewing_at = @InterviewingAt, offer_at = @OfferAt, interview_date = @InterviewDate
            WHERE url = @Url;
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

    private sealed record SeedActivity(
        List<SeedCoverLetter> CoverLetters, List<SeedPipeline> Pipeline, List<SeedContact> Contacts, List<SeedTask> Tasks);

    private sealed record SeedCoverLetter(string Url, string Text);

    private sealed record SeedPipeline(
        string Url, string? Status, string? AppliedAt, string? PhoneScreenAt, string? InterviewingAt, string? OfferAt, string? InterviewDate);

    private sealed record SeedContact(
        string Url, string Direction, string Subject, string FromAddr, string ToAddr, string Body, string ReceivedAt, string? StageSignal);

    private sealed record SeedTask(
        string TaskType, string? Url, string Status, string? Stage, string? Error, string CreatedAt, string? StartedAt, string? FinishedAt);
}
