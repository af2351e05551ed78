using Dapper;
using Peregrine.CloudSeams;
using Peregrine.Llm;
using Peregrine.Sessions;
using Peregrine.Storage;
using Peregrine.Tasks;

namespace Peregrine.Ai.CoverLetters;

/// <summary>
/// Cover letters, for the JSON API and the web pages alike: queue a generation, save an edited letter, and render it
/// as upstream's PDF. The writing itself is <see cref="CoverLetterWriter"/>, the task's work.
/// </summary>
public sealed class CoverLetterService(UserDatabases databases, ITaskWakeup wakeup, TimeProvider time, IUsageTelemetry telemetry)
{
    /// <summary>Queues the task (or finds the one already queued); null when the job is not this user's.</summary>
    public Task<TaskSubmission?> QueueAsync(UserContext user, long jobId, CancellationToken cancellationToken)
        => JobTaskQueue.QueueAsync(databases, wakeup, time, user, TaskTypes.CoverLetter, jobId, cancellationToken);

    /// <summary>The one save of an edited letter (upstream's <c>PATCH .../cover_letter</c> and the job page); false when the job is not this user's.</summary>
    public async Task<bool> SaveAsync(UserContext user, long jobId, string? text, CancellationToken cancellationToken)
    {
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            if (!Save(db, jobId, text))
            {
                return false;
            }
        }

        telemetry.LogUsageEvent(user.UserId, user.App, "cover_letter_saved");
        return true;
    }

    /// <summary>The job's letter as upstream's PDF and file name; null when the job has no letter (or is not this user's).</summary>
    public async Task<CoverLetterDocument?> RenderPdfAsync(UserContext user, long jobId, CancellationToken cancellationToken)
    {
        const string sql = "SELECT company, cover_letter FROM jobs WHERE id = @jobId;";

        (string? Company, string? Letter) row;
        await using (var db = await databases.OpenAsync(user.Database, cancellationToken))
        {
            row = await db.QuerySingleOrDefaultAsync<(string?, string?)>(new CommandDefinition(sql, new { jobId }, cancellationToken: cancellationToken));
        }

        if (string.IsNullOrWhiteSpace(row.Letter))
        {
            return null;
        }

        return new CoverLetterDocument(FileName(row.Company, Timestamps.Today(time)), CoverLetterPdf.Render(row.Letter));
    }

    /// <summary><c>CoverLetter_&lt;company letters and digits&gt;_&lt;YYYY-MM-DD&gt;.pdf</c>: nothing from the name can leave the header.</summary>
    public static string FileName(string? company, string today)
    {
        var alnum = new string((company ?? string.Empty).Where(char.IsAsciiLetterOrDigit).ToArray());
        return $"CoverLetter_{(alnum.Length == 0 ? "Company" : alnum)}_{today}.pdf";
    }

    internal static bool Save(Microsoft.Data.Sqlite.SqliteConnection db, long jobId, string? text) =>
        db.Execute("UPDATE jobs SET cover_letter = @text WHERE id = @jobId;", new { jobId, text }) > 0;
}

/// <summary>
/// Writes a job's letter inside the <c>cover_letter</c> task. Kept apart from <see cref="CoverLetterService"/>: the
/// runner is built from the handlers, so a handler must not need the runner's wakeup (a dependency cycle).
/// </summary>
public sealed class CoverLetterWriter(ILlmRouter router, IUsageTelemetry telemetry)
{
    /// <summary>
    /// Writes the letter for a job from this user's own profile and saves it to the job. Reads and writes are short
    /// DB steps; the LLM call holds no connection.
    /// </summary>
    public async Task<string> GenerateAsync(TaskRun run, CancellationToken cancellationToken)
    {
        router.ThrowIfDisabled();
        var job = await run.WithDatabaseAsync(db => JobForPrompt.Read(db, run.JobId), cancellationToken)
            ?? throw new TaskFailedException($"Job {run.JobId} not found");
        var candidate = CandidateProfile.Load(run.User);
        await run.ReportStageAsync("Writing cover letter", cancellationToken);
        var letter = (await router.CompleteAsync(run.User, LlmChain.General, CoverLetterPrompt.System, CoverLetterPrompt.Build(candidate, job), cancellationToken)).Trim();
        if (letter.Length == 0)
        {
            throw new TaskFailedException("The LLM returned an empty cover letter");
        }

        await run.WithDatabaseAsync(db => CoverLetterService.Save(db, run.JobId, letter), cancellationToken);
        telemetry.LogUsageEvent(run.User.UserId, run.User.App, "cover_letter_generated", new Dictionary<string, object?>
        {
            ["words"] = CoverLetterPrompt.CountWords(letter),
        });
        return letter;
    }

}

public sealed record CoverLetterDocument(string FileName, byte[] Content);

/// <summary>The <c>cover_letter</c> task: failures the user may read keep their message; the demo's is upstream's.</summary>
public sealed class CoverLetterTaskHandler(CoverLetterWriter letters) : IBackgroundTaskHandler
{
    public string TaskType => TaskTypes.CoverLetter;

    public async Task<string?> RunAsync(TaskRun run, CancellationToken cancellationToken)
    {
        try
        {
            var letter = await letters.GenerateAsync(run, cancellationToken);
            return $"Cover letter ready ({CoverLetterPrompt.CountWords(letter)} words)";
        }
        catch (LlmUnavailableException e)
        {
            throw new TaskFailedException(e.Message);
        }
    }
}
